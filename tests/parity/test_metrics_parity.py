"""The in-memory metric storage and SQLMetricStorage (sync, and async through `Synced`) on each
dialect, driven with the same random operations and compared after each one: record, batches (a
bad point among them included), queries by name, range, tags and limit, aggregates per bucket,
latest per series and retention.

Values are quarters of small integers, so every sum is exact whatever order a database adds in."""

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from memcore.domain.metrics.model import EPOCH, Point
from memcore.infrastructure.compat.metrics import AsyncSQLMetricStorage, SQLMetricStorage
from memcore.infrastructure.inmemory.metrics import InMemoryMetricStorage
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables
from tests.parity.common import PARITY_SETTINGS, Clock, outcome
from tests.store_fixtures import Synced, url_of

NAMES = st.sampled_from(["cpu", "cpu", "cpu", "mem", "Cpu", "cpu ", "ü"])
VALUES = st.integers(-4000, 4000).map(lambda i: i / 4) | st.sampled_from([0, 7, -0.0, 10**6])
TAG_VALUES = st.sampled_from(["a", "b", "A", "a ", 1, 1.0, "1", True, None])
TAGS = st.none() | st.dictionaries(st.sampled_from(["host", "route", "Host"]), TAG_VALUES, max_size=2)
ORIGINS = [EPOCH - timedelta(minutes=30), datetime(2026, 1, 1, tzinfo=UTC)]
OFFSET_US = st.integers(0, 2 * 3600 * 10**6) | st.sampled_from([0, 59_999_999, 60_000_000, 3600 * 10**6])
MINUS_FIVE = timezone(timedelta(hours=-5))
NAIVE = datetime(2026, 1, 1, 0, 30)
BAD = {  # one field of a point made bad: each is refused on both sides
    "name": st.sampled_from(["", "n" * 256, 5]),
    "value": st.sampled_from([float("nan"), float("inf"), -float("inf"), True, "1", 10**400]),
    "timestamp": st.sampled_from([NAIVE, "2026-01-01", 0]),
    "tags": st.sampled_from([{"host": ["a"]}, {"": "a"}, {"host": "v" * 300}, {"host": float("nan")}, ["a"],
                             {f"t{i}": i for i in range(33)}]),
}  # fmt: skip


@st.composite
def instants(draw):
    at = draw(st.sampled_from(ORIGINS)) + timedelta(microseconds=draw(OFFSET_US))
    if draw(st.integers(0, 19)) == 0:
        return NAIVE  # refused
    return at.astimezone(MINUS_FIVE) if draw(st.integers(0, 9)) == 0 else at  # some in another zone


WHEN = instants()
BOUNDS = st.none() | WHEN
BUCKETS = st.sampled_from(["1s", "1m", "5m", "1h", "1d", timedelta(minutes=15), "1m", "1h", "7m", 60])
LIMITS = st.none() | st.integers(-1, 5)
LOOKALIKES = {"1": [1.0, True, "1"], "1.0": [1], "true": [1], '"1"': [1], '"a"': ["A", "a "], "null": ["null"]}


@st.composite
def points(draw, bad_one_in=25):
    point = {"name": draw(NAMES), "value": draw(VALUES), "timestamp": draw(instants()), "tags": draw(TAGS)}
    if point["timestamp"] is NAIVE or draw(st.integers(0, 9)) == 0:
        point["timestamp"] = None  # each side's clock
    if draw(st.integers(0, bad_one_in - 1)) == 0:
        field = draw(st.sampled_from(sorted(BAD)))
        point[field] = draw(BAD[field])
    return point


def _views(result):
    """Points as comparable tuples (tags as sorted items), buckets as they are."""
    kind, value = result
    if kind != "ok" or not isinstance(value, list):
        return result
    return kind, [
        (p.name, p.value, p.timestamp, sorted(p.tags.items(), key=repr)) if hasattr(p, "tags") else p for p in value
    ]


class MetricsParity(RuleBasedStateMachine):
    engine = None
    mode = "sync"

    def __init__(self) -> None:
        super().__init__()
        empty_tables(self.engine)
        self.fake = InMemoryMetricStorage(clock=Clock())
        self.seen: list[dict] = []
        if self.mode == "sync":
            self.db = Database(url_of(self.engine))
            self.sql = SQLMetricStorage(self.db, clock=Clock())
        else:
            self.loop = asyncio.new_event_loop()
            self.db = AsyncDatabase(url_of(self.engine))
            self.sql = Synced(AsyncSQLMetricStorage(self.db, clock=Clock()), self.loop)

    def teardown(self) -> None:
        if self.mode == "sync":
            self.db.close()
        else:
            self.loop.run_until_complete(self.db.close())
            self.loop.close()

    def tags(self, data):
        """Tags to filter by: random ones, or (mostly) a subset of some recorded series' tags, one
        value perhaps swapped for a look-alike (1 for 1.0 or true; keyed by JSON text) that must not match."""
        if not self.seen or data.draw(st.integers(0, 3)) == 0:
            return data.draw(TAGS)
        tags = dict(data.draw(st.sampled_from(self.seen)))
        for key in data.draw(st.lists(st.sampled_from(sorted(tags)), unique=True)) if tags else []:
            del tags[key]
        if tags and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(tags)))
            tags[key] = data.draw(st.sampled_from(LOOKALIKES.get(json.dumps(tags[key]), ["b"])))
        return tags

    def remember(self, batch):
        self.seen.extend(p["tags"] for p in batch if isinstance(p["tags"], dict) and len(p["tags"]) < 3)

    def both(self, call, view=_views):
        expected, actual = view(outcome(lambda: call(self.fake))), view(outcome(lambda: call(self.sql)))
        assert actual == expected
        return expected

    @rule(point=points())
    def record(self, point):
        self.remember([point])
        self.both(lambda m: m.record(point["name"], point["value"], point["timestamp"], point["tags"]))

    @rule(batch=st.lists(points(bad_one_in=60), max_size=8), as_points=st.sampled_from(["no", "yes", "shared"]))
    def record_many(self, batch, as_points):
        self.remember(batch)
        if as_points != "no":  # Points built unchecked, all of them: the bulk path's way
            shared = batch[0]["tags"] if batch and as_points == "shared" else None
            batch = [Point(p["name"], p["value"], p["timestamp"] or ORIGINS[1], shared or p["tags"]) for p in batch]
        self.both(lambda m: m.record_many(batch))

    @rule(name=NAMES, start=BOUNDS, end=BOUNDS, data=st.data(), limit=LIMITS)
    def query(self, name, start, end, data, limit):
        tags = self.tags(data)
        self.both(lambda m: m.query(name, start=start, end=end, tags=tags, limit=limit))

    @rule(name=NAMES, bucket=BUCKETS, start=BOUNDS, end=BOUNDS, data=st.data())
    def aggregate(self, name, bucket, start, end, data):
        tags = self.tags(data)
        self.both(lambda m: m.aggregate(name, bucket, start=start, end=end, tags=tags))

    @rule(name=NAMES, data=st.data())
    def latest(self, name, data):
        tags = self.tags(data)
        self.both(lambda m: m.latest(name, tags=tags))

    @rule(before=WHEN, name=st.none() | NAMES)
    def delete_before(self, before, name):
        self.both(lambda m: m.delete_before(before, name=name))

    @invariant()
    def same_points(self):
        for name in ("cpu", "mem"):
            self.both(lambda m, name=name: m.query(name))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_metric_storage_parity(engines, dialect, mode):
    MetricsParity.engine, MetricsParity.mode = engines[dialect], mode
    run_state_machine_as_test(MetricsParity, settings=PARITY_SETTINGS)
