"""Drop-in for nexusql: `from memcore.compat.nexusql import DatabaseManager` (was `from nexusql import ...`)."""

from memcore.infrastructure.compat.nexusql import *  # noqa: F403
from memcore.infrastructure.compat.nexusql import __all__ as __all__
