"""Drop-in for the long-term memory backends: `SQLAlchemyBackend`, `SQLAlchemyCatalog`, factories, YAML."""

from memcore.infrastructure.compat.ltm import *  # noqa: F403
from memcore.infrastructure.compat.ltm import __all__ as __all__
