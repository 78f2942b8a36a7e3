"""Events raised by MemoryConflict."""

import attrs

from memcore.domain.shared.events import DomainEvent


@attrs.frozen
class ConflictRecorded(DomainEvent):
    conflict_id: str
    user_id: str


@attrs.frozen
class ConflictResolved(DomainEvent):
    conflict_id: str
    user_id: str
    decision: str
    winning_memory_id: str | None


@attrs.frozen
class ConflictEscalated(DomainEvent):
    conflict_id: str
    user_id: str
    resolution_attempts: int
