"""Checkpoint's invariants: canonical UUIDs, storable ids, JSON-object state, positive sequence, UTC times."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.checkpoints.model import Checkpoint, check_checkpoint_id
from memcore.domain.shared.errors import InvalidInput

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
ID = "0b7a4f55-3c2d-4e8f-9a1b-2c3d4e5f6a7b"


def a_checkpoint(**overrides):
    fields = {"thread_id": "thread-1", "pipeline_id": "pipe", "state": {"step": 1}, "sequence": 1}
    fields.update(overrides)
    return Checkpoint(**fields)


def test_a_new_checkpoint_gets_a_canonical_uuid_an_aware_utc_time_and_empty_metadata():
    before = datetime.now(UTC)
    checkpoint = a_checkpoint()
    assert str(uuid.UUID(checkpoint.checkpoint_id)) == checkpoint.checkpoint_id
    assert checkpoint.created_at.tzinfo == UTC and before <= checkpoint.created_at <= datetime.now(UTC)
    assert (checkpoint.metadata, checkpoint.parent_id, checkpoint.events) == ({}, None, [])


def test_two_new_checkpoints_get_different_ids():
    assert a_checkpoint().checkpoint_id != a_checkpoint().checkpoint_id


def test_a_canonical_uuid_is_accepted_as_id_and_parent():
    parent = str(uuid.uuid4())
    checkpoint = a_checkpoint(checkpoint_id=ID, parent_id=parent)
    assert (checkpoint.checkpoint_id, checkpoint.parent_id) == (ID, parent)


def test_a_checkpoint_without_an_id_is_refused():
    with pytest.raises(InvalidInput, match="checkpoint_id"):
        a_checkpoint(checkpoint_id=None)


@pytest.mark.parametrize(
    "value",
    [ID.upper(), ID.replace("-", ""), "{" + ID + "}", "urn:uuid:" + ID, " " + ID, "not-a-uuid", "", 42, uuid.UUID(ID),
     ID[:-1]],
)  # fmt: skip
def test_an_id_that_is_not_a_uuid_in_canonical_text_form_is_refused(value):
    with pytest.raises(InvalidInput, match="checkpoint_id"):
        a_checkpoint(checkpoint_id=value)
    with pytest.raises(InvalidInput, match="parent_id"):
        a_checkpoint(parent_id=value)
    with pytest.raises(InvalidInput):
        check_checkpoint_id(value)


@pytest.mark.parametrize("field", ["thread_id", "pipeline_id"])
@pytest.mark.parametrize("value", ["t", "T", "t ", "ü", "🌍" * 255, "x" * 255])
def test_any_non_empty_text_up_to_255_characters_names_a_thread_or_pipeline(field, value):
    assert getattr(a_checkpoint(**{field: value}), field) == value


@pytest.mark.parametrize("field", ["thread_id", "pipeline_id"])
@pytest.mark.parametrize("value", ["", "x" * 256, "a\x00b", "\ud800", None, 7, b"t"])
def test_a_thread_or_pipeline_id_no_dialect_can_store_is_refused(field, value):
    with pytest.raises(InvalidInput, match=field):
        a_checkpoint(**{field: value})


@pytest.mark.parametrize("field", ["state", "metadata"])
def test_state_and_metadata_are_nested_json_objects_copied_on_the_way_in(field):
    value = {"messages": [{"role": "user", "text": "grüße 👋"}], "n": 2**64, "f": 0.1, "none": None, "ok": True}
    checkpoint = a_checkpoint(**{field: value})
    value["messages"][0]["text"] = "changed"
    assert getattr(checkpoint, field)["messages"][0]["text"] == "grüße 👋"
    assert getattr(checkpoint, field)["n"] == 2**64


@pytest.mark.parametrize("field", ["state", "metadata"])
@pytest.mark.parametrize(
    "value",
    [None, [], ["a"], "{}", {"x": {1, 2}}, {"x": float("nan")}, {"x": float("inf")}, {1: "int key"}, {"x": (1, 2)},
     {"x": b"bytes"}, {"x": datetime(2024, 1, 1)}],
)  # fmt: skip
def test_state_or_metadata_that_is_not_a_json_object_round_tripping_unchanged_is_refused(field, value):
    with pytest.raises(InvalidInput, match=field):
        a_checkpoint(**{field: value})


@pytest.mark.parametrize("sequence", [1, 2, 2**31 - 1])
def test_the_sequence_is_a_positive_integer(sequence):
    assert a_checkpoint(sequence=sequence).sequence == sequence


@pytest.mark.parametrize("sequence", [0, -1, 2**31, True, 1.0, "1", None])
def test_a_sequence_that_is_not_a_positive_storable_integer_is_refused(sequence):
    with pytest.raises(InvalidInput, match="sequence"):
        a_checkpoint(sequence=sequence)


def test_created_at_is_kept_in_utc_with_its_microseconds():
    local = datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    created = a_checkpoint(created_at=local).created_at
    assert (created, created.tzinfo, created.microsecond) == (T0, UTC, 123456)


@pytest.mark.parametrize(
    "value", [datetime(2024, 5, 1, 12, 0), "2024-05-01T12:00:00+00:00", 1714564800, None, datetime(1, 1, 1, tzinfo=UTC)]
)
def test_a_created_at_that_is_not_an_aware_storable_datetime_is_refused(value):
    with pytest.raises(InvalidInput, match="created_at"):
        a_checkpoint(created_at=value)


def test_a_checkpoint_cannot_be_its_own_parent():
    with pytest.raises(InvalidInput, match="own parent"):
        a_checkpoint(checkpoint_id=ID, parent_id=ID)


def test_assigning_an_invalid_value_is_refused_and_leaves_the_checkpoint_unchanged():
    checkpoint = a_checkpoint(created_at=T0)
    for field, value in [("sequence", 0), ("thread_id", ""), ("state", []), ("created_at", datetime(2024, 1, 1)),
                         ("parent_id", "nope"), ("metadata", {"x": float("nan")})]:  # fmt: skip
        with pytest.raises(InvalidInput, match=field):
            setattr(checkpoint, field, value)
    assert (checkpoint.sequence, checkpoint.thread_id, checkpoint.state) == (1, "thread-1", {"step": 1})
    assert (checkpoint.created_at, checkpoint.parent_id, checkpoint.metadata) == (T0, None, {})


def test_an_assigned_time_is_converted_to_utc():
    checkpoint = a_checkpoint()
    checkpoint.created_at = T0.astimezone(timezone(timedelta(hours=-5)))
    assert checkpoint.created_at == T0 and checkpoint.created_at.tzinfo == UTC


def test_making_a_checkpoint_its_own_parent_by_assignment_is_refused():
    checkpoint = a_checkpoint(checkpoint_id=ID)
    with pytest.raises(InvalidInput, match="own parent"):
        checkpoint.parent_id = ID
    child = a_checkpoint(parent_id=ID)
    with pytest.raises(InvalidInput, match="own parent"):
        child.checkpoint_id = ID
    assert (checkpoint.parent_id, child.parent_id) == (None, ID)
