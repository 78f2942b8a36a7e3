"""Drop-in for the conflict stores memcore replaces: `SQLAlchemyConflictStore(engine)`, `InMemoryConflictStore()`."""

from memcore.infrastructure.compat.conflict_store import *  # noqa: F403
from memcore.infrastructure.compat.conflict_store import __all__ as __all__
