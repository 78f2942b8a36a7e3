"""One contract for the catalog use cases (entries, snapshots, batches, expiry) on every adapter."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.memory.commands import (
    CleanupExpired,
    CreateSnapshot,
    DeleteCatalogEntry,
    StoreCatalogBatch,
    TrackCatalogEntry,
)
from memcore.domain.shared.errors import InvalidInput, NotFound
from tests.unit.builders import T0, FakeClock

UNKNOWN = "0b7a4f55-3c2d-4e8f-9a1b-2c3d4e5f6a7b"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def services(uow_factory, clock):
    return build_services(uow_factory(), clock=clock)


def track(services, key, size=10, **fields):
    fields.setdefault("content_hash", f"sha256:{key}")
    fields.setdefault("storage_uri", f"s3://bucket/{key}")
    return services.bus.handle(TrackCatalogEntry(key=key, byte_size=size, **fields))


def test_tracking_creates_then_updates_under_the_sha256_of_the_key(services):
    first = track(services, "files/ä.pdf", 5, metadata={"owner": "ann"})
    assert first.created is True
    assert first.entry_id == hashlib.sha256("files/ä.pdf".encode()).hexdigest()
    second = track(services, "files/ä.pdf", 7, storage_uri=None, inlined_value={"small": [1, None]}, metadata=None)
    assert (second.created, second.entry_id) == (False, first.entry_id)
    view = services.catalog.get("files/ä.pdf")
    assert (view.id, view.byte_size, view.storage_uri, view.inlined_value, view.metadata) == (
        first.entry_id, 7, None, {"small": [1, None]}, None,
    )  # fmt: skip
    assert (view.created_at, view.updated_at) == (T0, T0 + timedelta(seconds=1))
    assert services.catalog.get("files/A.pdf") is None
    assert view.to_dict()["created_at"] == T0.isoformat()


def test_expiry_keeps_microseconds_and_comes_back_in_utc(services):
    local = datetime(2030, 5, 6, 7, 8, 9, 654321, tzinfo=timezone(timedelta(hours=-3)))
    track(services, "k", expires_at=local)
    assert services.catalog.get("k").expires_at == local and services.catalog.get("k").expires_at.tzinfo == UTC


@pytest.mark.parametrize(
    "fields",
    [
        {"key": ""},
        {"key": "x" * 513},
        {"content_hash": ""},
        {"byte_size": -1},
        {"byte_size": 1.5},
        {"byte_size": True},
        {"storage_uri": "nul\x00"},
        {"inlined_value": float("nan")},
        {"metadata": [1]},
        {"expires_at": datetime(2030, 1, 1)},
    ],
)
def test_invalid_entries_are_refused_and_nothing_changes(services, fields):
    track(services, "kept")
    data = {"key": "k", "content_hash": "h", "storage_uri": None, "byte_size": 1, **fields}
    with pytest.raises(InvalidInput):
        services.bus.handle(TrackCatalogEntry(**data))
    assert [view.key for view in services.catalog.list()] == ["kept"]


def test_deleting_says_whether_the_entry_was_there(services):
    track(services, "k")
    assert services.bus.handle(DeleteCatalogEntry("k")) is True
    assert services.bus.handle(DeleteCatalogEntry("k")) is False
    assert services.catalog.get("k") is None


def test_listing_by_prefix_and_metadata_in_key_order_with_a_limit(services):
    for key, meta in [("b/2", {"t": "x"}), ("a/1", {"t": "x", "n": 1}), ("b/1", {"t": "y"}), ("b", None)]:
        track(services, key, metadata=meta)
    assert [v.key for v in services.catalog.list()] == ["a/1", "b", "b/1", "b/2"]
    assert [v.key for v in services.catalog.list(prefix="b/")] == ["b/1", "b/2"]
    assert [v.key for v in services.catalog.list(prefix="b", limit=2)] == ["b", "b/1"]
    assert [v.key for v in services.catalog.list(metadata_filter={"t": "x"})] == ["a/1", "b/2"]
    assert [v.key for v in services.catalog.list("b", {"t": "x"})] == ["b/2"]
    assert [v.key for v in services.catalog.list(metadata_filter={"n": 1.0})] == ["a/1"]
    assert services.catalog.list(metadata_filter={"n": True}) == []


def test_a_snapshot_counts_entries_and_bytes_and_finds_what_changed_after_it(services):
    track(services, "old", 100)
    track(services, "changed", 20)
    snapshot_id = services.bus.handle(CreateSnapshot("nightly"))
    snapshot = services.catalog.get_snapshot(snapshot_id)
    assert (snapshot.name, snapshot.entry_count, snapshot.total_bytes) == ("nightly", 2, 120)
    assert snapshot.to_dict()["id"] == snapshot_id
    track(services, "changed", 25)
    track(services, "new", 1)
    assert [v.key for v in services.catalog.changed_since(snapshot_id)] == ["changed", "new"]
    assert [v.key for v in services.catalog.changed_since(None)] == ["changed", "new", "old"]
    empty = services.bus.handle(CreateSnapshot("empty-after"))
    assert services.catalog.changed_since(empty) == []
    assert services.catalog.get_snapshot(UNKNOWN) is None
    with pytest.raises(NotFound):
        services.catalog.changed_since(UNKNOWN)
    with pytest.raises(InvalidInput):
        services.catalog.get_snapshot("not-a-uuid")
    with pytest.raises(InvalidInput):
        services.bus.handle(CreateSnapshot(""))


def test_an_atomic_batch_with_one_bad_entry_stores_nothing_and_reports_it(services):
    batch = [
        {"key": "a", "content_hash": "h", "byte_size": 1},
        {"key": "b", "content_hash": "h", "byte_size": -5},
        {"key": "c", "content_hash": "h", "byte_size": 3, "expires_at": "2030-01-01T00:00:00Z"},
        "not a mapping",
    ]
    report = services.bus.handle(StoreCatalogBatch(batch))
    assert report.stored_count == 0
    assert [(f.index, f.key) for f in report.failures] == [(1, "b"), (3, None)]
    assert services.catalog.list() == []
    report = services.bus.handle(StoreCatalogBatch(batch, atomic=False))
    assert (report.stored_count, report.failed_count) == (2, 2)
    assert [v.key for v in services.catalog.list()] == ["a", "c"]
    assert services.catalog.get("c").expires_at == datetime(2030, 1, 1, tzinfo=UTC)


def test_retrieving_a_batch_maps_every_key_to_its_entry_or_none(services):
    track(services, "a")
    track(services, "b")
    found = services.catalog.get_many(["b", "missing", "a"])
    assert list(found) == ["b", "missing", "a"]
    assert (found["a"].key, found["b"].key, found["missing"]) == ("a", "b", None)
    assert services.catalog.get_many([]) == {}


def test_cleanup_deletes_only_expired_entries_in_batches(services, clock):
    for i in range(7):
        track(services, f"gone/{i}", expires_at=T0 - timedelta(days=1, seconds=i))
    track(services, "future", expires_at=T0 + timedelta(days=365))
    track(services, "forever")
    assert services.bus.handle(CleanupExpired(batch_size=3)) == 7
    assert [v.key for v in services.catalog.list()] == ["forever", "future"]
    assert services.bus.handle(CleanupExpired()) == 0
    with pytest.raises(InvalidInput):
        services.bus.handle(CleanupExpired(batch_size=0))
