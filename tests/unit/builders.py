"""Test data builders shared by the unit tests: valid defaults, overridden per test."""

from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.domain.conflicts.model import ConflictResolution, MemoryConflict

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def conflict_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "user_id": "user-1",
        "memory_a_id": "mem-a",
        "memory_b_id": "mem-b",
        "category": "location",
        "similarity_score": 0.8,
        "avg_importance": 0.5,
    }
    fields.update(overrides)
    return fields


def make_conflict(**overrides: Any) -> MemoryConflict:
    return MemoryConflict(**conflict_fields(**overrides))


def make_resolution(decision: str = "keep_a", **overrides: Any) -> ConflictResolution:
    fields: dict[str, Any] = {"decision": decision, "resolution_type": "manual", "resolved_by": "alice"}
    fields.update(overrides)
    return ConflictResolution(**fields)


class FakeClock:
    """Returns T0, then one second later on every call."""

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(seconds=1)) -> None:
        self.now, self.step, self.calls = start, step, 0

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        self.calls += 1
        return current
