"""MemoryConflict and ConflictResolution: defaults, invariants and the resolve/escalate rules."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.conflicts.events import ConflictEscalated, ConflictRecorded, ConflictResolved
from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.shared.errors import InvalidInput
from tests.unit.builders import T0, conflict_fields, make_conflict, make_resolution

NOT_A_SCORE = [float("nan"), True, False, -0.01, 1.01, float("inf"), "0.5", None]


def test_a_new_conflict_gets_a_fresh_uuid_and_starts_pending():
    first, second = make_conflict(), make_conflict()
    assert str(uuid.UUID(first.id)) == first.id
    assert first.id != second.id
    assert (first.status, first.resolution_attempts, first.metadata) == ("pending", 0, {})
    assert first.winning_memory_id is None and first.resolved_at is None
    assert first.created_at.tzinfo is not None
    assert first.events == []


def test_each_conflict_gets_its_own_metadata_dict():
    first, second = make_conflict(), make_conflict()
    first.metadata = {"k": 1}
    assert second.metadata == {}


@pytest.mark.parametrize("field", ["similarity_score", "avg_importance"])
@pytest.mark.parametrize("value", NOT_A_SCORE)
def test_scores_outside_the_unit_interval_are_refused(field, value):
    with pytest.raises(InvalidInput):
        make_conflict(**{field: value})


@pytest.mark.parametrize("value", [0, 0.0, 1, 1.0])
def test_scores_at_the_bounds_are_accepted_as_floats(value):
    conflict = make_conflict(similarity_score=value, avg_importance=value)
    assert conflict.similarity_score == float(value)
    assert type(conflict.similarity_score) is float


def test_a_memory_cannot_conflict_with_itself():
    with pytest.raises(InvalidInput, match="itself"):
        make_conflict(memory_a_id="same", memory_b_id="same")


@pytest.mark.parametrize(
    "overrides",
    [
        *({"status": "open"}, {"resolution_type": "magic"}, {"winning_memory_id": "someone-else"}),
        *({"created_at": datetime(2024, 5, 1, 12, 0)}, {"resolved_at": datetime(2024, 5, 1)}),
        {"created_at": "2024-05-01T12:00:00+00:00"},
        *({"id": ""}, {"id": "x" * 256}, {"user_id": "a\x00b"}, {"memory_a_id": "\x00"}),
        *({"category": "c" * 256}, {"category": "nul\x00"}, {"clarification_hint": "nul\x00"}),
        *({"is_singleton_category": 1}, {"resolution_attempts": -1}, {"resolution_attempts": True}),
        {"resolution_attempts": 2**31},
        *({"metadata": {"when": datetime(2024, 1, 1, tzinfo=UTC)}}, {"metadata": {1: "int key"}}),
        *({"metadata": {"n": float("nan")}}, {"metadata": {"t": (1, 2)}}, {"metadata": ["a", "list"]}),
    ],
)
def test_invalid_fields_are_refused_at_construction(overrides):
    with pytest.raises(InvalidInput):
        make_conflict(**overrides)


def test_ids_and_category_of_exactly_255_characters_are_accepted():
    conflict = make_conflict(id="i" * 255, category="c" * 255, user_id="u" * 255)
    assert (len(conflict.id), len(conflict.category)) == (255, 255)


def test_created_at_is_stored_in_utc():
    paris = timezone(timedelta(hours=2))
    conflict = make_conflict(created_at=datetime(2024, 5, 1, 14, 0, tzinfo=paris))
    assert conflict.created_at == T0
    assert conflict.created_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("similarity_score", 1.5),
        ("avg_importance", float("nan")),
        ("status", "unknown"),
        ("resolution_type", "guess"),
        ("id", "x" * 256),
        ("category", "c" * 256),
        ("user_id", "nul\x00"),
        ("created_at", datetime(2024, 1, 1)),
        ("metadata", {"obj": object()}),
        ("metadata", {2: "x"}),
        ("resolution_attempts", -3),
    ],
)
def test_assignment_after_construction_is_validated(field, value):
    conflict = make_conflict()
    before = getattr(conflict, field)
    with pytest.raises(InvalidInput):
        setattr(conflict, field, value)
    assert getattr(conflict, field) == before


@pytest.mark.parametrize(("field", "value"), [("memory_b_id", "mem-a"), ("winning_memory_id", "someone-else")])
def test_assignment_cannot_break_a_cross_field_invariant(field, value):
    conflict = make_conflict()
    with pytest.raises(InvalidInput):
        setattr(conflict, field, value)


@pytest.mark.parametrize(("decision", "winner"), [("keep_a", "mem-a"), ("keep_b", "mem-b")])
def test_resolving_a_conflict_records_the_winner(decision, winner):
    conflict = make_conflict()
    conflict.resolve(make_resolution(decision), at=T0)
    assert conflict.status == "resolved"
    assert conflict.winning_memory_id == winner
    assert conflict.resolution_type == "manual"


@pytest.mark.parametrize("decision", ["merge", "both_valid"])
def test_merging_or_keeping_both_leaves_no_winner(decision):
    conflict = make_conflict()
    conflict.resolve(make_resolution(decision), at=T0)
    assert conflict.status == "resolved"
    assert conflict.winning_memory_id is None


def test_resolving_stamps_resolved_at_in_utc():
    conflict = make_conflict()
    conflict.resolve(make_resolution(), at=datetime(2024, 5, 1, 7, 0, tzinfo=timezone(timedelta(hours=-5))))
    assert conflict.resolved_at == T0
    assert conflict.resolved_at.utcoffset() == timedelta(0)


def test_resolving_records_the_decision_in_metadata_and_keeps_earlier_keys():
    conflict = make_conflict(metadata={"source": "chat", "resolution_notes": "old"})
    conflict.resolve(make_resolution("merge", resolved_by="bob", notes="both true", confirming_memory_text="t"), at=T0)
    assert conflict.metadata == {
        "source": "chat",
        "resolution_decision": "merge",
        "resolved_by": "bob",
        "resolution_notes": "both true",
        "resolved_at": "2024-05-01T12:00:00+00:00",
        "confirming_memory_text": "t",
    }


def test_resolving_without_confirming_text_adds_no_such_key():
    conflict = make_conflict()
    conflict.resolve(make_resolution(), at=T0)
    assert "confirming_memory_text" not in conflict.metadata
    assert conflict.metadata["resolution_notes"] is None


def test_resolving_raises_conflict_resolved():
    conflict = make_conflict()
    conflict.resolve(make_resolution("keep_b"), at=T0)
    assert conflict.events == [ConflictResolved(conflict.id, "user-1", "keep_b", "mem-b")]


def test_an_escalated_conflict_can_still_be_resolved():
    conflict = make_conflict()
    conflict.escalate()
    conflict.resolve(make_resolution(), at=T0)
    assert conflict.status == "resolved"


def test_a_resolved_conflict_cannot_be_resolved_again():
    conflict = make_conflict()
    conflict.resolve(make_resolution("keep_a"), at=T0)
    with pytest.raises(InvalidInput, match="already resolved"):
        conflict.resolve(make_resolution("keep_b"), at=T0 + timedelta(hours=1))
    assert (conflict.winning_memory_id, conflict.resolved_at) == ("mem-a", T0)
    assert len(conflict.events) == 1


def test_resolving_with_a_naive_time_changes_nothing():
    conflict = make_conflict()
    with pytest.raises(InvalidInput):
        conflict.resolve(make_resolution(), at=datetime(2024, 5, 1))
    assert (conflict.status, conflict.metadata, conflict.events) == ("pending", {}, [])


@pytest.mark.parametrize(
    "overrides",
    [
        {"decision": "keep_c"},
        {"resolution_type": "telepathy"},
        {"resolved_by": ""},
        {"resolved_by": "r" * 256},
        {"notes": "nul\x00"},
        {"confirming_memory_text": 42},
    ],
)
def test_an_invalid_resolution_is_refused(overrides):
    with pytest.raises(InvalidInput):
        make_resolution(**overrides)


def test_escalating_counts_an_attempt_and_raises_an_event():
    conflict = make_conflict()
    conflict.escalate()
    assert (conflict.status, conflict.resolution_attempts) == ("escalated", 1)
    assert conflict.events == [ConflictEscalated(conflict.id, "user-1", 1)]


def test_a_resolved_conflict_cannot_be_escalated():
    conflict = make_conflict()
    conflict.resolve(make_resolution(), at=T0)
    with pytest.raises(InvalidInput):
        conflict.escalate()
    assert (conflict.status, conflict.resolution_attempts) == ("resolved", 0)


def test_failed_attempts_escalate_once_the_threshold_is_reached():
    conflict = make_conflict()
    conflict.record_failed_attempt(max_attempts=3)
    conflict.record_failed_attempt(max_attempts=3)
    assert (conflict.status, conflict.resolution_attempts, conflict.events) == ("pending", 2, [])
    conflict.record_failed_attempt(max_attempts=3)
    conflict.record_failed_attempt(max_attempts=3)
    assert (conflict.status, conflict.resolution_attempts) == ("escalated", 4)
    assert conflict.events == [ConflictEscalated(conflict.id, "user-1", 3)]


@pytest.mark.parametrize("max_attempts", [0, -1, True, 2.0, "3", None])
def test_a_failed_attempt_needs_a_positive_integer_threshold(max_attempts):
    conflict = make_conflict()
    with pytest.raises(InvalidInput):
        conflict.record_failed_attempt(max_attempts)
    assert conflict.resolution_attempts == 0


def test_a_resolved_conflict_cannot_record_a_failed_attempt():
    conflict = make_conflict()
    conflict.resolve(make_resolution(), at=T0)
    with pytest.raises(InvalidInput):
        conflict.record_failed_attempt()
    assert conflict.resolution_attempts == 0


def test_recording_a_conflict_raises_conflict_recorded():
    conflict = MemoryConflict.record(**conflict_fields(id="c-1", user_id="u-9"))
    assert conflict.events == [ConflictRecorded("c-1", "u-9")]
    assert MemoryConflict(**conflict_fields()).events == []


def test_a_resolution_may_name_its_conflict_by_keyword_as_the_replaced_model_did():
    assert make_resolution(conflict_id="c-1").conflict_id == "c-1"
    assert make_resolution().conflict_id is None
    with pytest.raises(InvalidInput, match="conflict_id"):
        make_resolution(conflict_id="")
