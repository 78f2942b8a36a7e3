"""SQLMetricStorage and its asyncio twin: metric points on the unified Database.

    metrics = SQLMetricStorage("postgresql://app@db/app")      # or a Database
    metrics.setup()                                            # migrate, once
    metrics.record("latency_ms", 12.5, tags={"route": "/chat"})
    metrics.aggregate("latency_ms", "1m", start=an_hour_ago)   # count, sum, min, max, avg per minute

Timestamps are timezone-aware datetimes, stored in UTC to the microsecond (naive ones raise
InvalidInput); ranges are half-open, [start, end). Buckets are computed by the database, aligned
on the Unix epoch. `AsyncSQLMetricStorage` has the same methods, awaitable, over an `AsyncDatabase`;
`InMemoryMetricStorage` (and its async twin) are the fakes, for host applications' tests.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from memcore.domain.metrics.model import (
    BUCKETS,
    EPOCH,
    MAX_BATCH,
    MICROSECOND,
    Bucket,
    Point,
    bucket_seconds,
    check_range,
    check_tags,
    check_value,
    series_key,
    to_micros,
)
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id, check_utc
from memcore.infrastructure.compat.metric_batches import Batch, bulk_points
from memcore.infrastructure.compat.metric_plans import MetricPlans
from memcore.infrastructure.compat.stores import AsyncStore, Store, SyncStore
from memcore.infrastructure.inmemory.metrics import AsyncInMemoryMetricStorage, InMemoryMetricStorage
from memcore.infrastructure.sqlalchemy.plans import Plan, run, run_async

__all__ = [
    "BUCKETS",
    "AsyncInMemoryMetricStorage",
    "AsyncSQLMetricStorage",
    "Bucket",
    "InMemoryMetricStorage",
    "Point",
    "SQLMetricStorage",
]


def _now() -> datetime:
    return datetime.now(UTC)


_FIELDS = frozenset({"name", "value", "timestamp", "tags"})


def _fields(raw: Any, clock: Callable[[], datetime]) -> tuple[Any, Any, Any, Any]:
    if isinstance(raw, Point):
        return raw.name, raw.value, raw.timestamp, raw.tags
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"a point must be a Point or a mapping, got {type(raw).__name__}")
    if not raw.keys() <= _FIELDS:
        raise InvalidInput(f"unknown point field {', '.join(sorted(map(str, set(raw) - _FIELDS)))}")
    at = raw.get("timestamp")
    return raw.get("name"), raw.get("value"), clock() if at is None else at, raw.get("tags")


def _limit(limit: Any) -> int | None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidInput(f"limit must be a non-negative integer or None, got {limit!r}")
    return limit


class _Metrics(Store):
    """What both storages share: input checks, the plans, the cache of committed series."""

    def __init__(self, db: Any, *, clock: Callable[[], datetime] = _now) -> None:
        db = self._open(db)
        self.db, self.clock = db, clock
        self.plans = MetricPlans(db.sqlalchemy_dialect)

    def _points(self, points: Iterable[Any]) -> Batch:
        """The batch checked: by the bulk path when it is a list of good Points, else point by point
        (each distinct series checked once either way)."""
        if isinstance(points, Mapping | str | bytes | Point):
            raise InvalidInput("points must be a list of points")
        if type(points) is list:
            bulk = bulk_points(points)
            if bulk is not None:
                return bulk
        memos: dict[Any, str] = {}
        series: dict[str, tuple[str, dict[str, Any]]] = {}
        keys: list[str] = []
        micros: list[int] = []
        values: list[float] = []
        clock = self.clock
        for raw in points:
            if type(raw) is Point:
                name, value, at, tags = raw.name, raw.value, raw.timestamp, raw.tags
            else:
                name, value, at, tags = _fields(raw, clock)
            # What makes two (name, tags) one series, value types included (1, 1.0 and true differ);
            # None when unhashable (a list or dict among the tags): the full check says what is wrong.
            memo = key = None
            if type(name) is str and (tags is None or type(tags) is dict):
                memo = (name, *tags.items(), *map(type, tags.values())) if tags else (name,)
                try:
                    key = memos.get(memo)
                except TypeError:
                    memo = None
            if key is None:
                name, tags = check_id("name", name), check_tags(tags)
                key = series_key(name, tags)
                series.setdefault(key, (name, tags))
                if memo is not None:
                    memos[memo] = key
            if type(value) is not float or value - value != 0.0:  # not a finite float
                value = check_value("value", value)
            if type(at) is not datetime or at.tzinfo is not UTC or not 1000 <= at.year <= 9999:
                at = check_utc("timestamp", at)
            keys.append(key)
            micros.append((at - EPOCH) // MICROSECOND)
            values.append(value)
            if len(keys) > MAX_BATCH:
                raise InvalidInput(f"at most {MAX_BATCH} points can be recorded at once")
        return keys, micros, values, series

    def _record(self, batch: Batch) -> Callable[[], Plan[dict[str, int]]]:
        return lambda: self.plans.record(batch)

    def _query(self, name: Any, start: Any, end: Any, tags: Any, limit: Any) -> Callable[[], Plan[list[Point]]]:
        name, (low, high), tags, limit = (
            check_id("name", name),
            check_range(start, end),
            check_tags(tags),
            _limit(limit),
        )
        return lambda: self.plans.query(name, low, high, tags, limit)

    def _aggregate(self, name: Any, bucket: Any, start: Any, end: Any, tags: Any) -> Callable[[], Plan[list[Bucket]]]:
        name, width, (low, high), tags = (
            check_id("name", name),
            bucket_seconds(bucket),
            check_range(start, end),
            check_tags(tags),
        )
        return lambda: self.plans.aggregate(name, width, low, high, tags)

    def _latest(self, name: Any, tags: Any) -> Callable[[], Plan[list[Point]]]:
        name, tags = check_id("name", name), check_tags(tags)
        return lambda: self.plans.latest(name, tags)

    def _delete(self, before: Any, name: Any) -> Callable[[], Plan[int]]:
        cutoff, name = to_micros("before", before), None if name is None else check_id("name", name)
        return lambda: self.plans.delete_before(cutoff, name)


class SQLMetricStorage(_Metrics, SyncStore):
    """Metric storage over a `Database` (or a URL, for a Database of its own)."""

    def record(self, name: str, value: float, timestamp: datetime | None = None, tags: Mapping | None = None) -> None:
        """Record one point; `timestamp` defaults to now."""
        self.record_many([{"name": name, "value": value, "timestamp": timestamp, "tags": tags}])

    def record_many(self, points: Iterable[Point | Mapping[str, Any]]) -> int:
        """Record a batch (Points, or mappings of name, value, timestamp, tags), all or none."""
        batch = self._points(points)
        if not batch[0]:
            return 0
        try:
            created = run(self.db, self._record(batch), write=True)
        except InvalidInput:
            if not self.plans.series:
                raise
            self.plans.series.clear()  # a series this process knew was deleted: look them up again
            created = run(self.db, self._record(batch), write=True)
        self.plans.series.update(created)
        return len(batch[0])

    def query(self, name: str, start: datetime | None = None, end: datetime | None = None,
              tags: Mapping | None = None, limit: int | None = None) -> list[Point]:  # fmt: skip
        """Points of the name in [start, end) whose series has all these tags, oldest first."""
        return run(self.db, self._query(name, start, end, tags, limit), write=False)

    def aggregate(self, name: str, bucket: Any, start: datetime | None = None, end: datetime | None = None,
                  tags: Mapping | None = None) -> list[Bucket]:  # fmt: skip
        """Count, sum, min, max and avg per bucket ("1s" … "1d", see BUCKETS), buckets with points only."""
        return run(self.db, self._aggregate(name, bucket, start, end, tags), write=False)

    def latest(self, name: str, tags: Mapping | None = None) -> list[Point]:
        """The newest point of each series of the name (with these tags)."""
        return run(self.db, self._latest(name, tags), write=False)

    def delete_before(self, before: datetime, name: str | None = None) -> int:
        """Retention: delete the points older than `before` (of one name, or all); how many went."""
        return run(self.db, self._delete(before, name), write=True)


class AsyncSQLMetricStorage(_Metrics, AsyncStore):
    """`SQLMetricStorage` over an `AsyncDatabase`, every method awaitable."""

    async def record(
        self, name: str, value: float, timestamp: datetime | None = None, tags: Mapping | None = None
    ) -> None:
        await self.record_many([{"name": name, "value": value, "timestamp": timestamp, "tags": tags}])

    async def record_many(self, points: Iterable[Point | Mapping[str, Any]]) -> int:
        batch = self._points(points)
        if not batch[0]:
            return 0
        try:
            created = await run_async(self.db, self._record(batch), write=True)
        except InvalidInput:
            if not self.plans.series:
                raise
            self.plans.series.clear()
            created = await run_async(self.db, self._record(batch), write=True)
        self.plans.series.update(created)
        return len(batch[0])

    async def query(self, name: str, start: datetime | None = None, end: datetime | None = None,
                    tags: Mapping | None = None, limit: int | None = None) -> list[Point]:  # fmt: skip
        return await run_async(self.db, self._query(name, start, end, tags, limit), write=False)

    async def aggregate(self, name: str, bucket: Any, start: datetime | None = None, end: datetime | None = None,
                        tags: Mapping | None = None) -> list[Bucket]:  # fmt: skip
        return await run_async(self.db, self._aggregate(name, bucket, start, end, tags), write=False)

    async def latest(self, name: str, tags: Mapping | None = None) -> list[Point]:
        return await run_async(self.db, self._latest(name, tags), write=False)

    async def delete_before(self, before: datetime, name: str | None = None) -> int:
        return await run_async(self.db, self._delete(before, name), write=True)
