"""One contract for the metric storages: the in-memory fakes and the SQL storages on every dialect,
each sync and async."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from memcore.domain.metrics.model import Bucket, Point
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.metrics import AsyncSQLMetricStorage, SQLMetricStorage
from memcore.infrastructure.inmemory.metrics import AsyncInMemoryMetricStorage, InMemoryMetricStorage
from tests.store_fixtures import MODES, Synced, open_store

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


FAKES = [pytest.param(("memory", mode), id=f"{mode}-memory") for mode in ("sync", "async")]


def _open(request, engines):
    dialect, mode = request.param
    if dialect == "memory":
        yield (
            InMemoryMetricStorage()
            if mode == "sync"
            else Synced(AsyncInMemoryMetricStorage(), asyncio.new_event_loop())
        )
        return
    for opened in open_store(engines[dialect], mode, (SQLMetricStorage, AsyncSQLMetricStorage)):
        opened.engine = engines[dialect]
        yield opened


@pytest.fixture(params=FAKES + MODES)
def metrics(request, engines):
    """Every storage: the fakes and the SQL storages on every dialect, sync and async."""
    yield from _open(request, engines)


@pytest.fixture(params=MODES)
def sql_metrics(request, engines):
    """The SQL storages only, for what the fakes have no tables for."""
    yield from _open(request, engines)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def values(points) -> list[float]:
    return [p.value for p in points]


def test_points_come_back_oldest_first_in_utc_to_the_microsecond(metrics):
    metrics.record("cpu", 2.5, at(2), {"host": "a"})
    metrics.record("cpu", 1, T0.astimezone(timezone(timedelta(hours=-5))), {"host": "a"})
    points = metrics.query("cpu")
    assert points == [Point("cpu", 1.0, T0, {"host": "a"}), Point("cpu", 2.5, at(2), {"host": "a"})]
    assert all(p.timestamp.tzinfo is UTC for p in points)


def test_a_batch_is_recorded_whole(metrics):
    batch = [Point("m", float(i), at(i), {"k": "v"}) for i in range(1200)]
    assert metrics.record_many([*batch[:600], *({"name": "m", "value": p.value, "timestamp": p.timestamp,
                                                 "tags": p.tags} for p in batch[600:])]) == 1200  # fmt: skip
    assert metrics.query("m") == batch
    assert metrics.record_many([]) == 0


def test_a_query_takes_a_half_open_range_a_limit_and_tag_equality(metrics):
    metrics.record_many([
        {"name": "rps", "value": 1, "timestamp": at(0), "tags": {"route": "/a", "code": 200}},
        {"name": "rps", "value": 2, "timestamp": at(1), "tags": {"route": "/a", "code": "200"}},
        {"name": "rps", "value": 3, "timestamp": at(2), "tags": {"route": "/b", "code": 200, "canary": True}},
        {"name": "rps", "value": 4, "timestamp": at(3)},
        {"name": "other", "value": 5, "timestamp": at(1), "tags": {"route": "/a"}},
    ])  # fmt: skip
    assert values(metrics.query("rps", start=at(1), end=at(3))) == [2, 3]
    assert values(metrics.query("rps", limit=2)) == [1, 2]
    assert values(metrics.query("rps", tags={"route": "/a"})) == [1, 2]
    assert values(metrics.query("rps", tags={"code": 200})) == [1, 3]  # 200 is not "200"
    assert values(metrics.query("rps", tags={"code": 200, "route": "/b"})) == [3]
    assert values(metrics.query("rps", tags={"canary": True})) == [3]
    assert values(metrics.query("rps", tags={"route": "/c"})) == []
    assert metrics.query("nothing") == []


def test_buckets_are_computed_by_the_database_and_aligned_on_the_epoch(metrics):
    start = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    metrics.record_many([Point("lat", v, start + timedelta(seconds=s)) for s, v in
                         [(0, 1.0), (59.999999, 3.0), (60, 10.0), (150, -2.5), (179, 0.5)]])  # fmt: skip
    minute = timedelta(minutes=1)
    assert metrics.aggregate("lat", "1m") == [
        Bucket(start, 2, 4.0, 1.0, 3.0, 2.0),
        Bucket(start + minute, 1, 10.0, 10.0, 10.0, 10.0),
        Bucket(start + 2 * minute, 2, -2.0, -2.5, 0.5, -1.0),
    ]
    assert metrics.aggregate("lat", timedelta(hours=1)) == [Bucket(start, 5, 12.0, -2.5, 10.0, 2.4)]
    assert metrics.aggregate("lat", "1d")[0].start == datetime(2024, 5, 1, tzinfo=UTC)
    assert metrics.aggregate("lat", "1m", start=start + minute, end=start + 2 * minute) == [
        Bucket(start + minute, 1, 10.0, 10.0, 10.0, 10.0)
    ]
    assert metrics.aggregate("none", "1s") == []


def test_buckets_before_the_epoch_floor_too(metrics):
    metrics.record_many([Point("old", 1.0, datetime(1969, 12, 31, 23, 59, 30, 500000, tzinfo=UTC)),
                         Point("old", 2.0, datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC))])  # fmt: skip
    (bucket,) = metrics.aggregate("old", "1m")
    assert bucket.start == datetime(1969, 12, 31, 23, 59, tzinfo=UTC) and bucket.count == 2


def test_latest_gives_the_newest_point_of_each_series(metrics):
    metrics.record_many([
        Point("temp", 1.0, at(0), {"room": "a", "floor": 1}),
        Point("temp", 2.0, at(5), {"floor": 1, "room": "a"}),  # the same series, tags in another order
        Point("temp", 3.0, at(3), {"room": "b"}),
        Point("temp", 4.0, at(1), {"room": "b"}),
    ])  # fmt: skip
    assert metrics.latest("temp") == [Point("temp", 2.0, at(5), {"floor": 1, "room": "a"}),
                                      Point("temp", 3.0, at(3), {"room": "b"})]  # fmt: skip
    assert values(metrics.latest("temp", tags={"room": "b"})) == [3.0]
    assert metrics.latest("none") == []


def test_retention_deletes_older_points_of_one_name_or_all(metrics):
    metrics.record_many([Point(name, float(i), at(i)) for name in ("a", "b") for i in range(4)])
    assert metrics.delete_before(at(2), name="a") == 2
    assert values(metrics.query("a")) == [2, 3] and len(metrics.query("b")) == 4
    assert metrics.delete_before(at(3)) == 1 + 3
    assert values(metrics.query("a")) == [3] and values(metrics.query("b")) == [3]


def test_a_series_deleted_behind_its_back_is_created_again(sql_metrics):
    metrics = sql_metrics
    metrics.record("x", 1.0, at(0), {"t": 1})
    with metrics.engine.begin() as connection:
        connection.execute(text("DELETE FROM metric_series"))
    metrics.record("x", 2.0, at(1), {"t": 1})
    assert metrics.query("x", tags={"t": 1}) == [Point("x", 2.0, at(1), {"t": 1})]


BAD_CALLS = {
    "NaN": lambda m: m.record("x", float("nan"), T0),
    "inf": lambda m: m.record("x", float("inf"), T0),
    "huge_int": lambda m: m.record("x", 10**400, T0),
    "bool_value": lambda m: m.record("x", True, T0),
    "text_value": lambda m: m.record("x", "1", T0),
    "naive_timestamp": lambda m: m.record("x", 1.0, datetime(2024, 1, 1)),
    "empty_name": lambda m: m.record("", 1.0, T0),
    "long_name": lambda m: m.record("n" * 256, 1.0, T0),
    "list_tags": lambda m: m.record("x", 1.0, T0, ["a"]),
    "nested_tag": lambda m: m.record("x", 1.0, T0, {"a": {"b": 1}}),
    "NaN_tag": lambda m: m.record("x", 1.0, T0, {"a": float("nan")}),
    "long_tag": lambda m: m.record("x", 1.0, T0, {"a": "v" * 300}),
    "one_bad_in_a_batch": lambda m: m.record_many([Point("x", 1.0, T0), {"name": "x", "value": 1.0, "timestamp": 5}]),
    "unknown_field": lambda m: m.record_many([{"name": "x", "value": 1.0, "when": T0}]),
    "unknown_bucket": lambda m: m.aggregate("x", "7m"),
    "odd_timedelta_bucket": lambda m: m.aggregate("x", timedelta(seconds=1.5)),
    "int_bucket": lambda m: m.aggregate("x", 60),
    "naive_start": lambda m: m.query("x", start=datetime(2024, 1, 1)),
    "end_before_start": lambda m: m.query("x", start=at(1), end=at(0)),
    "negative_limit": lambda m: m.query("x", limit=-1),
    "naive_retention": lambda m: m.delete_before(datetime(2024, 1, 1)),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_input_is_refused_and_nothing_is_written(metrics, call):
    with pytest.raises(InvalidInput):
        call(metrics)
    assert metrics.query("x") == []


def test_a_storage_opened_from_a_url_migrates_and_closes_its_own_database(sql_metrics):
    metrics = sql_metrics
    url = metrics.engine.url.render_as_string(hide_password=False)
    with SQLMetricStorage(url) as own:
        own.setup()  # already at head: nothing to do
        own.record("u", 1.0, T0)
        assert values(own.query("u")) == [1.0]
    with pytest.raises(InvalidInput):
        own.query("u")  # closed
    with pytest.raises(InvalidInput):
        SQLMetricStorage(object())
