"""The port the conflicts context needs from storage, and the fields it can be queried by."""

from datetime import datetime
from typing import Any, Protocol

from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.shared.specification import Query, Specification

# Queryable fields and their types: what a Specification over conflicts may name.
CONFLICT_FIELDS: dict[str, type] = {
    "id": str,
    "user_id": str,
    "memory_a_id": str,
    "memory_b_id": str,
    "category": str,
    "is_singleton_category": bool,
    "similarity_score": float,
    "status": str,
    "avg_importance": float,
    "clarification_hint": str,
    "resolution_type": str,
    "winning_memory_id": str,
    "resolution_attempts": int,
    "created_at": datetime,
    "resolved_at": datetime,
}


class ConflictRepository(Protocol):
    """Stores MemoryConflicts; remembers those it has seen so their events can be published."""

    seen: set[MemoryConflict]

    def add(self, conflict: MemoryConflict) -> None: ...

    def add_many(self, conflicts: list[MemoryConflict]) -> None: ...

    def add_new(self, fields: dict[str, Any]) -> None:
        """Store a new conflict from `new_conflict_fields(...)` and raise ConflictRecorded, as
        `add(MemoryConflict.record(**fields))` does; an adapter may skip building the aggregate."""
        ...

    def get(self, conflict_id: str, for_update: bool = False) -> MemoryConflict | None:
        """`for_update`: the row stays locked until the transaction ends, so concurrent changes of
        one conflict queue and each sees the one before (a conflict is resolved once)."""
        ...

    def list(self, query: Specification | Query | None = None) -> list[MemoryConflict]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...
