"""Read-side use cases of the conflicts context: frozen views from the read model, never aggregates."""

from memcore.application.conflicts.views import PENDING_ORDER, ConflictView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.conflicts.model import STATUSES
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field
from memcore.domain.shared.validation import check_id, shown

__all__ = ["PENDING_ORDER", "CountConflicts", "GetConflict", "PendingConflicts"]


class GetConflict:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, conflict_id: str) -> ConflictView | None:
        check_id("conflict_id", conflict_id)
        return self.uow.conflict_views.get(conflict_id)


class PendingConflicts:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, user_id: str, limit: int | None = None) -> list[ConflictView]:
        check_id("user_id", user_id)
        return self.uow.conflict_views.pending(user_id, limit)


class CountConflicts:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, user_id: str, status: str | None = None) -> int:
        check_id("user_id", user_id)
        spec = Field("user_id") == user_id
        if status is not None:
            if status not in STATUSES:
                raise InvalidInput(f"unknown status {shown(status)}; expected one of {', '.join(STATUSES)}")
            spec = spec & (Field("status") == status)
        return self.uow.conflict_views.count(spec)
