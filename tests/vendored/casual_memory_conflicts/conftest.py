"""casual-memory's conflict-store tests, run unchanged on memcore: its package names are memcore's.

`casual_memory.models` gives memcore's MemoryConflict and ConflictResolution, and
`casual_memory.storage.conflicts.{sqlalchemy,memory}` the drop-in stores (memcore.compat.conflict_store).
"""

from memcore.compat import conflict_store
from tests.vendored.aliases import alias, restore

MODELS = ("ConflictResolution", "MemoryConflict")
alias("casual_memory.models", {name: getattr(conflict_store, name) for name in MODELS})
alias("casual_memory.storage.conflicts.sqlalchemy", conflict_store)
alias("casual_memory.storage.conflicts.memory", conflict_store)


def pytest_collection_finish(session) -> None:
    """The suite's files imported the aliases at collection; later tests get the real casual-memory."""
    restore("casual_memory")
