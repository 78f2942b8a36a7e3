"""The raw-SQL `Database` and `AsyncDatabase`: named parameters, one API on every dialect."""

from memcore.infrastructure.compat.database import *  # noqa: F403
from memcore.infrastructure.compat.database import __all__ as __all__
