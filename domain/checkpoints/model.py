"""Checkpoint: one saved state of a workflow thread, numbered in order within its thread."""

import uuid
from datetime import UTC, datetime
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_all, check_id, check_json_object, check_utc, on_setattr, shown

FIELDS = ("checkpoint_id", "thread_id", "pipeline_id", "parent_id", "sequence", "state", "metadata", "created_at")


def check_checkpoint_id(value: Any, name: str = "checkpoint_id") -> str:
    """A UUID in its canonical text form (lower case, with hyphens)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a UUID string, got {type(value).__name__}")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{name} is not a UUID: {shown(value)}") from None
    if canonical != value:
        raise InvalidInput(f"{name} must be written as {shown(canonical)}")
    return value


def _optional_uuid(name: str, value: Any) -> str | None:
    return None if value is None else check_checkpoint_id(value, name)


def _sequence(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput(f"{name} must be a positive integer, got {shown(value)}")
    return value


_RULES: dict[str, Any] = {
    "checkpoint_id": lambda name, value: check_checkpoint_id(value, name),
    "thread_id": check_id,
    "pipeline_id": check_id,
    "parent_id": _optional_uuid,
    "sequence": _sequence,
    "state": check_json_object,
    "metadata": check_json_object,
    "created_at": check_utc,
}


def _check_parent(parent_id: str | None, checkpoint_id: str) -> None:
    if parent_id is not None and parent_id == checkpoint_id:
        raise InvalidInput("a checkpoint cannot be its own parent")


@attrs.define(
    slots=False,
    eq=False,
    on_setattr=on_setattr(_RULES, ("parent_id", "checkpoint_id"), lambda **pair: _check_parent(**pair)),
)
class Checkpoint:
    """The state of `thread_id` at one step of `pipeline_id`; `sequence` orders a thread's checkpoints."""

    thread_id: str
    pipeline_id: str
    state: dict[str, Any]
    sequence: int
    metadata: dict[str, Any] = attrs.field(factory=dict)
    parent_id: str | None = None
    checkpoint_id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    created_at: datetime = attrs.field(factory=lambda: datetime.now(UTC))
    events: list[Any] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _RULES)
        _check_parent(self.parent_id, self.checkpoint_id)
