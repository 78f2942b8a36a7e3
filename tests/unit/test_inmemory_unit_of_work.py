"""InMemoryUnitOfWork: explicit commit, rollback on exit, isolation from objects it handed out."""

import contextlib

import pytest

from memcore.domain.conflicts.events import ConflictRecorded
from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from tests.unit.builders import conflict_fields, make_conflict


def stored(store, conflict_id):
    with InMemoryUnitOfWork(store) as reader:
        return reader.conflicts.get(conflict_id)


def test_nothing_is_visible_without_commit():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="c-1"))
        assert uow.conflicts.get("c-1") is not None  # the transaction sees its own write
        assert stored(uow.store, "c-1") is None  # nobody else does
    with uow:
        assert uow.conflicts.get("c-1") is None


def test_a_committed_write_is_visible_to_later_transactions():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="c-1", category="pets"))
        uow.commit()
    with uow:
        assert uow.conflicts.get("c-1").category == "pets"


def test_an_exception_in_the_block_rolls_back_what_was_not_committed():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="kept"))
        uow.commit()
    with pytest.raises(RuntimeError), uow:
        uow.conflicts.get("kept").escalate()
        uow.conflicts.add(make_conflict(id="dropped"))
        raise RuntimeError("boom")
    assert stored(uow.store, "dropped") is None
    assert stored(uow.store, "kept").status == "pending"


def test_work_after_a_commit_in_the_same_block_is_rolled_back():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="c-1"))
        uow.commit()
        uow.conflicts.get("c-1").escalate()
    assert stored(uow.store, "c-1").status == "pending"


def test_units_of_work_sharing_a_store_see_each_others_commits():
    store = InMemoryStore()
    writer, reader = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    with writer:
        writer.conflicts.add(make_conflict(id="c-1"))
        writer.commit()
    with reader:
        reader.conflicts.get("c-1").escalate()
        reader.commit()
    with writer:
        assert writer.conflicts.get("c-1").status == "escalated"


def test_a_transaction_does_not_see_a_commit_made_after_it_began():
    store = InMemoryStore()
    first, second = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    with first:
        with second:
            second.conflicts.add(make_conflict(id="c-1"))
            second.commit()
        assert first.conflicts.get("c-1") is None
    assert stored(store, "c-1") is not None


def test_interleaved_commits_do_not_lose_each_others_writes():
    store = InMemoryStore()
    first, second = InMemoryUnitOfWork(store), InMemoryUnitOfWork(store)
    with first:
        with second:
            second.conflicts.add(make_conflict(id="from-second"))
            second.commit()
        first.conflicts.add(make_conflict(id="from-first"))
        # Refusing the later commit would be acceptable too; losing the earlier one is not.
        with contextlib.suppress(ConcurrencyError):
            first.commit()
    assert stored(store, "from-second") is not None


def test_mutating_an_entity_after_rollback_does_not_leak_into_the_store():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="c-1"))
        uow.commit()
    with uow:
        loaded = uow.conflicts.get("c-1")
    loaded.category = "changed"
    loaded.escalate()
    with uow:
        again = uow.conflicts.get("c-1")
        assert (again.category, again.status) == ("location", "pending")
        uow.commit()
    assert stored(uow.store, "c-1").category == "location"


def test_mutating_an_added_entity_after_commit_does_not_leak_into_the_store():
    uow = InMemoryUnitOfWork()
    conflict = make_conflict(id="c-1")
    with uow:
        uow.conflicts.add(conflict)
        uow.commit()
    conflict.category = "changed"
    assert stored(uow.store, "c-1").category == "location"


def test_events_of_seen_aggregates_are_collected_once_and_not_stored():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(MemoryConflict.record(**conflict_fields(id="c-1")))
        uow.commit()
    assert list(uow.collect_new_events()) == [ConflictRecorded("c-1", "user-1")]
    assert list(uow.collect_new_events()) == []
    assert stored(uow.store, "c-1").events == []


def test_adding_an_id_that_is_already_stored_is_refused():
    uow = InMemoryUnitOfWork()
    with uow:
        uow.conflicts.add(make_conflict(id="c-1"))
        uow.commit()
    with uow:
        with pytest.raises(AlreadyExists):
            uow.conflicts.add(make_conflict(id="c-1", category="other"))
        with pytest.raises(AlreadyExists):
            uow.conflicts.add_many([make_conflict(id="c-2"), make_conflict(id="c-2")])
        assert uow.conflicts.get("c-2") is None
