"""The memory and catalog use cases on the in-memory Unit of Work, driven through the message bus."""

from datetime import timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.memory.commands import (
    ApplyMemoryOperations,
    CleanupExpired,
    CreateSnapshot,
    DeleteMemory,
    StoreCatalogBatch,
    StoreMemory,
    TrackCatalogEntry,
)
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.unit.builders import T0, FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def services(clock):
    return build_services(InMemoryUnitOfWork(), clock=clock)


def test_stores_are_stamped_with_the_clock(services):
    services.bus.handle(StoreMemory("k", 1))
    services.bus.handle(StoreMemory("k", 2))
    view = services.memory.get("k")
    assert (view.created_at, view.updated_at) == (T0, T0 + timedelta(seconds=1))


def test_views_are_copies_that_cannot_change_the_store(services):
    services.bus.handle(StoreMemory("k", {"list": [1]}, {"m": [1]}))
    view = services.memory.get("k")
    view.value["list"].append(2)
    view.metadata["m"].append(2)
    assert services.memory.get("k").value == {"list": [1]}
    assert services.memory.get("k").metadata == {"m": [1]}


def test_the_fake_ranks_by_the_share_of_wanted_words(services):
    services.bus.handle(StoreMemory("a", "tomato tomato soup"))
    services.bus.handle(StoreMemory("b", "tomato salad with many other words"))
    hits = services.memory.search("tomato")
    assert [hit.entry.key for hit in hits] == ["a", "b"]
    assert hits[0].score == pytest.approx(2 / 4) and hits[1].score == pytest.approx(1 / 7)


def test_an_operation_that_is_not_a_memory_operation_is_refused(services):
    with pytest.raises(InvalidInput, match="#0"):
        services.bus.handle(ApplyMemoryOperations(["store k"]))
    with pytest.raises(InvalidInput):
        services.bus.handle(ApplyMemoryOperations([DeleteMemory(None)]))


def test_a_transaction_is_usable_only_inside_its_block(services):
    transaction = services.memory_transaction()
    with pytest.raises(RuntimeError):
        transaction.store("k", 1)
    with transaction as tx:
        tx.store("k", 1)
    with pytest.raises(RuntimeError):
        tx.retrieve("k")
    assert services.memory.get("k").value == 1


@pytest.mark.parametrize("size", [0, -1, True, 1.5, 10_001])
def test_iterating_needs_a_sensible_batch_size(services, size):
    with pytest.raises(InvalidInput):
        list(services.memory.iterate(size))


def test_get_many_refuses_a_string_instead_of_a_list(services):
    with pytest.raises(InvalidInput):
        services.memory.get_many("abc")
    with pytest.raises(InvalidInput):
        services.catalog.get_many(["ok", ""])


def test_a_batch_entry_with_unknown_or_missing_fields_is_reported_by_index(services):
    report = services.bus.handle(
        StoreCatalogBatch([{"key": "a", "content_hash": "h", "byte_size": 1, "colour": "red"}, {"key": "b"}], False)
    )
    assert report.stored_count == 0
    assert [(f.index, f.key) for f in report.failures] == [(0, "a"), (1, "b")]
    assert "colour" in report.failures[0].message and "content_hash" in report.failures[1].message


def test_a_snapshot_sees_entries_tracked_before_it_and_not_after(services, clock):
    services.bus.handle(TrackCatalogEntry("a", "h", None, 5))
    snapshot_id = services.bus.handle(CreateSnapshot("s"))
    services.bus.handle(TrackCatalogEntry("b", "h", None, 7))
    snapshot = services.catalog.get_snapshot(snapshot_id)
    assert (snapshot.entry_count, snapshot.total_bytes, snapshot.created_at) == (1, 5, T0 + timedelta(seconds=1))
    assert [view.key for view in services.catalog.changed_since(snapshot_id)] == ["b"]


def test_cleanup_counts_what_it_deleted_over_several_batches(services, clock):
    for i in range(10):
        services.bus.handle(TrackCatalogEntry(f"k{i}", "h", None, 1, expires_at=T0 + timedelta(seconds=i)))
    clock.now = T0 + timedelta(seconds=30)
    assert services.bus.handle(CleanupExpired(batch_size=4)) == 10
    assert services.catalog.list() == []
