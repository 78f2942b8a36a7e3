"""The read model of the conflicts context: frozen views and the port that serves them.

Queries read through this port instead of loading aggregates, so a SQL adapter can take the lean
route (Core statements built once, no identity map) on the hot read paths.
"""

from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.conflicts.model import PENDING, MemoryConflict
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.specification import Field, Query, Specification, as_query

# The pending list shows the most important first, then the oldest, then by id.
PENDING_ORDER = (Field("avg_importance").desc(), Field("created_at").asc())


def pending_query(user_id: str, limit: int | None = None) -> Query:
    """A user's pending conflicts in the order they are listed (validates `limit`)."""
    where = (Field("user_id") == user_id) & (Field("status") == PENDING)
    return Query(where=where, order_by=PENDING_ORDER, limit=limit)


@attrs.frozen
class ConflictView:
    id: str
    user_id: str
    memory_a_id: str
    memory_b_id: str
    category: str
    is_singleton_category: bool
    similarity_score: float
    status: str
    avg_importance: float
    clarification_hint: str | None
    resolution_type: str | None
    winning_memory_id: str | None
    resolution_attempts: int
    created_at: datetime
    resolved_at: datetime | None
    metadata: dict[str, Any]

    @classmethod
    def of(cls, conflict: MemoryConflict) -> "ConflictView":
        return cls(**{name: getattr(conflict, name) for name in CONFLICT_FIELDS}, metadata=dict(conflict.metadata))

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


class ConflictViews(Protocol):
    """Reads conflicts as views; each call is its own short read."""

    def get(self, conflict_id: str) -> ConflictView | None: ...

    def pending(self, user_id: str, limit: int | None = None) -> list[ConflictView]:
        """The same as `list(pending_query(user_id, limit))`; adapters may serve it on a faster route."""
        ...

    def list(self, query: Specification | Query | None = None) -> list[ConflictView]: ...

    def count(self, spec: Specification | None = None) -> int: ...


class RepositoryConflictViews:
    """Views served by any Unit of Work's repository: the reference the lean adapters must match."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, conflict_id: str) -> ConflictView | None:
        with self.uow:
            conflict = self.uow.conflicts.get(conflict_id)
            return None if conflict is None else ConflictView.of(conflict)

    def pending(self, user_id: str, limit: int | None = None) -> list[ConflictView]:
        return self.list(pending_query(user_id, limit))

    def list(self, query: Specification | Query | None = None) -> list[ConflictView]:
        with self.uow:
            return [ConflictView.of(c) for c in self.uow.conflicts.list(as_query(query))]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.conflicts.count(spec)
