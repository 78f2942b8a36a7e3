"""One contract for the conflict repository and Unit of Work, run against every adapter."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.conflicts.events import ConflictRecorded
from memcore.domain.conflicts.model import ConflictResolution, new_conflict_fields
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field, Query
from tests.factories import T0, a_conflict


def store(uow_factory, *conflicts) -> None:
    with uow_factory() as uow:
        uow.conflicts.add_many(list(conflicts))
        uow.commit()


def test_a_committed_conflict_reads_back_field_for_field(uow_factory):
    original = a_conflict(
        clarification_hint="Which city?",
        is_singleton_category=True,
        resolution_attempts=2,
        similarity_score=0.1 + 0.2,
        metadata={"nested": {"list": [1, 2.5, None, True]}, "big": 2**62, "text": "héllo 🌍 日本"},
    )
    store(uow_factory, original)
    with uow_factory() as uow:
        loaded = uow.conflicts.get(original.id)
    names = [n for n in vars(original) if not n.startswith("_") and n != "events"]
    assert {n: getattr(loaded, n) for n in names} == {n: getattr(original, n) for n in names}
    assert loaded.events == []


def test_timestamps_keep_microseconds_and_come_back_in_utc(uow_factory):
    local = datetime(2026, 5, 6, 7, 8, 9, 654321, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    conflict = a_conflict(created_at=local)
    store(uow_factory, conflict)
    with uow_factory() as uow:
        loaded = uow.conflicts.get(conflict.id)
    assert loaded.created_at == local
    assert loaded.created_at.tzinfo == UTC
    assert loaded.created_at.microsecond == 654321


def test_nothing_is_written_without_commit(uow_factory):
    conflict = a_conflict()
    with uow_factory() as uow:
        uow.conflicts.add(conflict)
    with uow_factory() as uow:
        assert uow.conflicts.get(conflict.id) is None


def test_an_error_inside_the_block_rolls_back(uow_factory):
    conflict = a_conflict()
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.conflicts.add(conflict)
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.conflicts.count() == 0


def test_changes_to_a_loaded_conflict_are_saved_on_commit_only(uow_factory):
    conflict = a_conflict()
    store(uow_factory, conflict)
    with uow_factory() as uow:
        uow.conflicts.get(conflict.id).escalate()
    with uow_factory() as uow:
        assert uow.conflicts.get(conflict.id).status == "pending"
        uow.conflicts.get(conflict.id).resolve(ConflictResolution("keep_a", "manual", "user-1"), T0)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.conflicts.get(conflict.id)
    assert (loaded.status, loaded.winning_memory_id, loaded.resolved_at) == ("resolved", conflict.memory_a_id, T0)
    assert loaded.metadata["resolution_decision"] == "keep_a"


def test_a_duplicate_id_is_refused_and_changes_nothing(uow_factory):
    first = a_conflict(category="first")
    store(uow_factory, first)
    with pytest.raises(AlreadyExists), uow_factory() as uow:
        uow.conflicts.add(a_conflict(id=first.id, category="second"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.conflicts.get(first.id).category == "first"
        assert uow.conflicts.count() == 1


def test_a_batch_with_one_bad_row_writes_nothing(uow_factory):
    existing = a_conflict()
    store(uow_factory, existing)
    with pytest.raises(AlreadyExists), uow_factory() as uow:
        uow.conflicts.add_many([a_conflict(), a_conflict(id=existing.id)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.conflicts.count() == 1


def test_users_only_see_their_own_conflicts(uow_factory):
    store(uow_factory, a_conflict(user_id="alice"), a_conflict(user_id="alice"), a_conflict(user_id="bob"))
    with uow_factory() as uow:
        assert uow.conflicts.count(Field("user_id") == "alice") == 2
        assert {c.user_id for c in uow.conflicts.list(Field("user_id") == "bob")} == {"bob"}
        assert uow.conflicts.count(Field("user_id") == "Alice") == 0


def test_ordering_is_total_with_nulls_first_ascending_and_last_descending(uow_factory):
    hinted = [a_conflict(id=f"c{i}", clarification_hint=h) for i, h in enumerate(["b", None, "a", None, "B"])]
    store(uow_factory, *hinted)
    with uow_factory() as uow:
        ascending = [c.id for c in uow.conflicts.list(Query(order_by=[Field("clarification_hint").asc()]))]
        descending = [c.id for c in uow.conflicts.list(Query(order_by=[Field("clarification_hint").desc()]))]
    assert ascending == ["c1", "c3", "c4", "c2", "c0"]  # NULLs (by id), then "B" < "a" < "b"
    assert descending == ["c0", "c2", "c4", "c1", "c3"]


def test_strings_compare_by_code_point_and_case(uow_factory):
    store(
        uow_factory,
        *(a_conflict(id=f"k{i}", category=c) for i, c in enumerate(["apple", "Apple", "äpple", "apple ", "b"])),
    )
    with uow_factory() as uow:
        ordered = [c.category for c in uow.conflicts.list(Query(order_by=[Field("category").asc()]))]
        exact = uow.conflicts.count(Field("category") == "apple")
        containing = uow.conflicts.count(Field("category").contains("ppl"))
        prefixed = uow.conflicts.count(Field("category").startswith("A"))
    assert ordered == ["Apple", "apple", "apple ", "b", "äpple"]
    assert (exact, containing, prefixed) == (1, 4, 1)


def test_limit_and_offset_page_through_a_stable_order(uow_factory):
    store(uow_factory, *(a_conflict(id=f"p{i:02d}", avg_importance=0.5) for i in range(7)))
    order = [Field("avg_importance").desc()]
    with uow_factory() as uow:
        pages = [[c.id for c in uow.conflicts.list(Query(order_by=order, limit=3, offset=o))] for o in (0, 3, 6)]
    assert pages == [["p00", "p01", "p02"], ["p03", "p04", "p05"], ["p06"]]


def test_remove_deletes_only_what_the_specification_matches(uow_factory):
    store(uow_factory, a_conflict(user_id="u1"), a_conflict(user_id="u1", status="escalated"), a_conflict(user_id="u2"))
    with uow_factory() as uow:
        removed = uow.conflicts.remove((Field("user_id") == "u1") & (Field("status") == "pending"))
        uow.commit()
    with uow_factory() as uow:
        left = sorted((c.user_id, c.status) for c in uow.conflicts.list())
    assert removed == 1
    assert left == [("u1", "escalated"), ("u2", "pending")]


def test_a_specification_on_an_unknown_field_raises_instead_of_matching_everything(uow_factory):
    store(uow_factory, a_conflict())
    with uow_factory() as uow, pytest.raises(InvalidInput):
        uow.conflicts.list(Field("no_such_field") == "x")
    with uow_factory() as uow, pytest.raises(InvalidInput):
        uow.conflicts.remove(Field("similarity_score") == "high")
    with uow_factory() as uow:
        assert uow.conflicts.count() == 1


def test_events_of_seen_aggregates_are_collected_once(uow_factory):
    conflict = a_conflict()
    store(uow_factory, conflict)
    uow = uow_factory()
    with uow:
        uow.conflicts.get(conflict.id).escalate()
        uow.commit()
    events = list(uow.collect_new_events())
    assert [type(e).__name__ for e in events] == ["ConflictEscalated"]
    assert list(uow.collect_new_events()) == []


def test_changes_made_after_adding_in_the_same_transaction_are_saved(uow_factory):
    conflict = a_conflict()
    with uow_factory() as uow:
        uow.conflicts.add(conflict)
        conflict.escalate()
        assert uow.conflicts.get(conflict.id) is conflict
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.conflicts.get(conflict.id)
    assert (loaded.status, loaded.resolution_attempts) == ("escalated", 1)


def _fields_of(conflict):
    return new_conflict_fields(
        **{name: getattr(conflict, name) for name in CONFLICT_FIELDS}, metadata=conflict.metadata
    )


def test_add_new_stores_the_row_add_stores_and_raises_conflict_recorded(uow_factory):
    via_add = a_conflict(id="via-add", metadata={"k": [1, "ü"]}, clarification_hint="h", is_singleton_category=True)
    fields = {**_fields_of(via_add), "id": "via-new"}
    store(uow_factory, via_add)
    uow = uow_factory()
    with uow:
        uow.conflicts.add_new(fields)
        uow.commit()
    assert list(uow.collect_new_events()) == [ConflictRecorded("via-new", via_add.user_id)]
    assert list(uow.collect_new_events()) == []
    with uow_factory() as uow:
        a, b = uow.conflicts.get("via-add"), uow.conflicts.get("via-new")
        assert {**_fields_of(b), "id": "via-add"} == _fields_of(a)


def test_add_new_refuses_a_stored_id_and_leaves_nothing(uow_factory):
    store(uow_factory, a_conflict(id="taken"))
    with pytest.raises(AlreadyExists), uow_factory() as uow:
        uow.conflicts.add_new(_fields_of(a_conflict(id="fresh")))
        uow.conflicts.add_new(_fields_of(a_conflict(id="taken")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.conflicts.get("fresh") is None
        assert uow.conflicts.count() == 1
