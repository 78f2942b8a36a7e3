"""MemoryConflict, the aggregate, and ConflictResolution, the value that settles it."""

import uuid
from datetime import UTC, datetime
from typing import Any

import attrs

from memcore.domain.conflicts.events import ConflictEscalated, ConflictRecorded, ConflictResolved
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.events import DomainEvent
from memcore.domain.shared.validation import (
    check_all,
    check_id,
    check_json_object,
    check_text,
    check_unit_interval,
    check_utc,
    on_setattr,
    one_of,
    optional,
    shown,
)

PENDING, RESOLVED, ESCALATED = "pending", "resolved", "escalated"
STATUSES = (PENDING, RESOLVED, ESCALATED)
RESOLUTION_TYPES = ("manual", "automated", "conversational")
DECISIONS = ("keep_a", "keep_b", "merge", "both_valid")
CATEGORY_MAX_LENGTH = 255
DEFAULT_MAX_ATTEMPTS = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a non-negative integer, got {shown(value)}")
    if value > 2**31 - 1:
        raise InvalidInput(f"{name} is too large")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be a boolean, got {type(value).__name__}")
    return value


def _category(name: str, value: Any) -> str:
    return check_text(name, value, max_length=CATEGORY_MAX_LENGTH)


# Validation runs through setattr, so an assignment can never leave an invalid aggregate.
_RULES: dict[str, Any] = {
    "id": check_id,
    "user_id": check_id,
    "memory_a_id": check_id,
    "memory_b_id": check_id,
    "category": _category,
    "is_singleton_category": _bool,
    "similarity_score": check_unit_interval,
    "status": one_of(STATUSES, "status"),
    "avg_importance": check_unit_interval,
    "clarification_hint": optional(check_text),
    "resolution_type": optional(one_of(RESOLUTION_TYPES, "resolution type")),
    "winning_memory_id": optional(check_id),
    "resolution_attempts": _count,
    "created_at": check_utc,
    "resolved_at": optional(check_utc),
    "metadata": check_json_object,
}


_PAIR = ("memory_a_id", "memory_b_id", "winning_memory_id")


def _check_pair(memory_a_id: str, memory_b_id: str, winning_memory_id: str | None) -> None:
    if memory_a_id == memory_b_id:
        raise InvalidInput("a memory cannot conflict with itself")
    if winning_memory_id is not None and winning_memory_id not in (memory_a_id, memory_b_id):
        raise InvalidInput("the winning memory must be one of the two conflicting memories")


def new_conflict_fields(**fields: Any) -> dict[str, Any]:
    """The fields of a new conflict checked by the aggregate's own rules, in the same order and with
    the same typed errors and normalised values, without building the aggregate (the hot path of
    recording one: see ConflictRepository.add_new). Every field is named."""
    checked = {name: rule(name, fields[name]) for name, rule in _RULES.items()}
    _check_pair(checked["memory_a_id"], checked["memory_b_id"], checked["winning_memory_id"])
    return checked


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_RULES, _PAIR, _check_pair))
class MemoryConflict:
    """Two memories of one user that contradict each other, waiting to be clarified."""

    user_id: str
    memory_a_id: str
    memory_b_id: str
    category: str
    similarity_score: float
    avg_importance: float
    id: str = attrs.field(factory=new_id)
    is_singleton_category: bool = False
    status: str = PENDING
    clarification_hint: str | None = None
    resolution_type: str | None = None
    winning_memory_id: str | None = None
    resolution_attempts: int = 0
    created_at: datetime = attrs.field(factory=utc_now)
    resolved_at: datetime | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)
    events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _RULES)
        _check_pair(self.memory_a_id, self.memory_b_id, self.winning_memory_id)

    @classmethod
    def record(cls, **fields: Any) -> "MemoryConflict":
        """Create a conflict and raise ConflictRecorded."""
        conflict = cls(**fields)
        conflict.events.append(ConflictRecorded(conflict.id, conflict.user_id))
        return conflict

    def resolve(self, resolution: "ConflictResolution", at: datetime) -> None:
        """Settle the conflict; keep_a/keep_b name a winner, merge/both_valid leave none."""
        if self.status == RESOLVED:
            raise InvalidInput(f"conflict {self.id} is already resolved")
        at = check_utc("resolved_at", at)
        winner = {"keep_a": self.memory_a_id, "keep_b": self.memory_b_id}.get(resolution.decision)
        self.status = RESOLVED
        self.resolution_type = resolution.resolution_type
        self.winning_memory_id = winner
        self.resolved_at = at
        # Reassign rather than mutate, so change tracking sees the new metadata.
        self.metadata = {
            **self.metadata,
            "resolution_decision": resolution.decision,
            "resolved_by": resolution.resolved_by,
            "resolution_notes": resolution.notes,
            "resolved_at": at.isoformat(),  # as the replaced stores wrote it, beside the column
            **(
                {"confirming_memory_text": resolution.confirming_memory_text}
                if resolution.confirming_memory_text is not None
                else {}
            ),
        }
        self.events.append(ConflictResolved(self.id, self.user_id, resolution.decision, winner))

    def escalate(self) -> None:
        """Hand the conflict to a human: one more attempt is counted."""
        if self.status == RESOLVED:
            raise InvalidInput(f"conflict {self.id} is resolved and cannot be escalated")
        self.resolution_attempts += 1
        self.status = ESCALATED
        self.events.append(ConflictEscalated(self.id, self.user_id, self.resolution_attempts))

    def record_failed_attempt(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        """Count a failed clarification; escalate once `max_attempts` have failed."""
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidInput(f"max_attempts must be a positive integer, got {shown(max_attempts)}")
        if self.status == RESOLVED:
            raise InvalidInput(f"conflict {self.id} is already resolved")
        self.resolution_attempts += 1
        if self.status == PENDING and self.resolution_attempts >= max_attempts:
            self.status = ESCALATED
            self.events.append(ConflictEscalated(self.id, self.user_id, self.resolution_attempts))


@attrs.frozen
class ConflictResolution:
    """How a conflict was settled, and by whom; `conflict_id` (keyword only, optional) names the conflict
    as the replaced store's model did: the conflict resolved is the one it is given to."""

    decision: str = attrs.field(validator=lambda i, a, v: one_of(DECISIONS, "decision")(a.name, v))
    resolution_type: str = attrs.field(validator=lambda i, a, v: one_of(RESOLUTION_TYPES, "resolution type")(a.name, v))
    resolved_by: str = attrs.field(validator=lambda i, a, v: check_id(a.name, v))
    notes: str | None = attrs.field(default=None, validator=lambda i, a, v: optional(check_text)(a.name, v))
    confirming_memory_text: str | None = attrs.field(
        default=None, validator=lambda i, a, v: optional(check_text)(a.name, v)
    )
    conflict_id: str | None = attrs.field(
        default=None, kw_only=True, validator=lambda i, a, v: optional(check_id)(a.name, v)
    )
