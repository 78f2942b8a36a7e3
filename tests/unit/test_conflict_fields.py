"""new_conflict_fields: the recording hot path checks exactly as MemoryConflict does, without building it."""

from datetime import timedelta, timezone

import pytest

from memcore.domain.conflicts.model import MemoryConflict, new_conflict_fields
from memcore.domain.shared.errors import InvalidInput
from tests.unit.builders import T0, conflict_fields

DEFAULTS = {
    "id": "c-1",
    "is_singleton_category": False,
    "clarification_hint": None,
    "status": "pending",
    "resolution_type": None,
    "winning_memory_id": None,
    "resolution_attempts": 0,
    "created_at": T0,
    "resolved_at": None,
    "metadata": {},
}

BAD = [
    {"id": ""},
    {"user_id": 3},
    {"memory_b_id": "mem-a"},
    {"category": "x" * 256},
    {"is_singleton_category": 1},
    {"similarity_score": float("nan")},
    {"avg_importance": 1.5},
    {"status": "done"},
    {"resolution_type": "magic"},
    {"winning_memory_id": "mem-c"},
    {"resolution_attempts": -1},
    {"resolution_attempts": True},
    {"created_at": T0.replace(tzinfo=None)},
    {"metadata": {1: "x"}},
    {"metadata": {"f": float("inf")}},
    {"clarification_hint": 5, "user_id": ""},  # two faults: the first rule in order names its field
]


def full(**overrides):
    return conflict_fields(**{**DEFAULTS, **overrides})


@pytest.mark.parametrize("overrides", BAD, ids=lambda o: ",".join(o))
def test_the_same_typed_error_as_the_aggregate(overrides):
    with pytest.raises(InvalidInput) as built:
        MemoryConflict(**full(**overrides))
    with pytest.raises(InvalidInput) as checked:
        new_conflict_fields(**full(**overrides))
    assert str(checked.value) == str(built.value)


def test_the_same_normalised_values_as_the_aggregate():
    fields = full(created_at=T0.astimezone(timezone(timedelta(hours=5))), metadata={"k": [1, "ü"]})
    checked = new_conflict_fields(**fields)
    built = MemoryConflict(**fields)
    assert checked == {name: getattr(built, name) for name in checked}
    assert checked["created_at"].utcoffset() == timedelta(0)
    assert checked["metadata"] is not fields["metadata"]
