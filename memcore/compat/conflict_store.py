"""Drop-in for the conflict store memcore replaces: `SQLAlchemyConflictStore(engine)` on its own tables."""

from memcore.infrastructure.compat.conflict_store import *  # noqa: F403
from memcore.infrastructure.compat.conflict_store import __all__ as __all__
