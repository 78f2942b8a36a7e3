"""Write-side use cases of the conflicts context."""

from collections.abc import Callable
from datetime import datetime

from memcore.application.conflicts import commands
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.conflicts.model import (
    DEFAULT_MAX_ATTEMPTS,
    STATUSES,
    ConflictResolution,
    MemoryConflict,
    new_conflict_fields,
)
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.domain.shared.specification import Field
from memcore.domain.shared.validation import check_id, shown

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]


def _load(uow: UnitOfWork, conflict_id: str) -> MemoryConflict:
    """The conflict, locked for the change the caller makes (racing changes queue, see the port)."""
    check_id("conflict_id", conflict_id)
    conflict = uow.conflicts.get(conflict_id, for_update=True)
    if conflict is None:
        raise NotFound(f"no conflict with id {shown(conflict_id)}")
    return conflict


class RecordConflictHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, new_id: IdFactory) -> None:
        self.uow, self.clock, self.new_id = uow, clock, new_id

    def __call__(self, cmd: commands.RecordConflict) -> str:
        fields = new_conflict_fields(
            id=cmd.id if cmd.id is not None else self.new_id(),
            user_id=cmd.user_id,
            memory_a_id=cmd.memory_a_id,
            memory_b_id=cmd.memory_b_id,
            category=cmd.category,
            similarity_score=cmd.similarity_score,
            avg_importance=cmd.avg_importance,
            is_singleton_category=cmd.is_singleton_category,
            clarification_hint=cmd.clarification_hint,
            status=cmd.status,
            resolution_type=cmd.resolution_type,
            winning_memory_id=cmd.winning_memory_id,
            resolution_attempts=cmd.resolution_attempts,
            created_at=cmd.created_at if cmd.created_at is not None else self.clock(),
            resolved_at=cmd.resolved_at,
            metadata=dict(cmd.metadata),
        )
        with self.uow:
            # No look-up first: the store refuses a duplicate id (AlreadyExists) at add or commit.
            self.uow.conflicts.add_new(fields)
            self.uow.commit()
        return fields["id"]


class ResolveConflictHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.ResolveConflict) -> str | None:
        resolution = ConflictResolution(
            decision=cmd.decision,
            resolution_type=cmd.resolution_type,
            resolved_by=cmd.resolved_by,
            notes=cmd.notes,
            confirming_memory_text=cmd.confirming_memory_text,
        )
        with self.uow:
            conflict = _load(self.uow, cmd.conflict_id)
            conflict.resolve(resolution, at=self.clock())
            self.uow.commit()
            return conflict.winning_memory_id


class RecordFailedAttemptHandler:
    def __init__(self, uow: UnitOfWork, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.uow, self.max_attempts = uow, max_attempts

    def __call__(self, cmd: commands.RecordFailedAttempt) -> str:
        with self.uow:
            conflict = _load(self.uow, cmd.conflict_id)
            conflict.record_failed_attempt(self.max_attempts)
            self.uow.commit()
            return conflict.status


class EscalateConflictHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.EscalateConflict) -> int:
        with self.uow:
            conflict = _load(self.uow, cmd.conflict_id)
            conflict.escalate()
            self.uow.commit()
            return conflict.resolution_attempts


class ClearUserConflictsHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.ClearUserConflicts) -> int:
        check_id("user_id", cmd.user_id)
        spec = Field("user_id") == cmd.user_id
        if cmd.status is not None:
            if cmd.status not in STATUSES:
                raise InvalidInput(f"unknown status {shown(cmd.status)}; expected one of {', '.join(STATUSES)}")
            spec = spec & (Field("status") == cmd.status)
        with self.uow:
            removed = self.uow.conflicts.remove(spec)
            self.uow.commit()
            return removed
