"""Read-side use cases of the conflicts context; they return frozen views, never live aggregates."""

from datetime import datetime
from typing import Any

import attrs

from application.unit_of_work import UnitOfWork
from domain.conflicts.model import PENDING, STATUSES, MemoryConflict
from domain.shared.errors import InvalidInput
from domain.shared.specification import Field, Query
from domain.shared.validation import check_id


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
        names = [a.name for a in attrs.fields(cls)]
        values = {name: getattr(conflict, name) for name in names}
        values["metadata"] = dict(values["metadata"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


# The pending list shows the most important first, then the oldest, then by id.
PENDING_ORDER = (Field("avg_importance").desc(), Field("created_at").asc())


class GetConflict:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, conflict_id: str) -> ConflictView | None:
        check_id("conflict_id", conflict_id)
        with self.uow:
            conflict = self.uow.conflicts.get(conflict_id)
            return None if conflict is None else ConflictView.of(conflict)


class PendingConflicts:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, user_id: str, limit: int | None = None) -> list[ConflictView]:
        check_id("user_id", user_id)
        query = Query(
            where=(Field("user_id") == user_id) & (Field("status") == PENDING),
            order_by=PENDING_ORDER,
            limit=limit,
        )
        with self.uow:
            return [ConflictView.of(c) for c in self.uow.conflicts.list(query)]


class CountConflicts:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, user_id: str, status: str | None = None) -> int:
        check_id("user_id", user_id)
        spec = Field("user_id") == user_id
        if status is not None:
            if status not in STATUSES:
                raise InvalidInput(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
            spec = spec & (Field("status") == status)
        with self.uow:
            return self.uow.conflicts.count(spec)
