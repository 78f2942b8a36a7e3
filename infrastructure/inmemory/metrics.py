"""InMemoryMetricStorage and its asyncio twin: the fakes of SQLMetricStorage for host applications'
tests. The metrics contract suite runs them beside the SQL storages."""

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from memcore.domain.metrics.model import (
    MAX_BATCH,
    Bucket,
    Point,
    bucket_seconds,
    check_range,
    check_tags,
    check_value,
    from_micros,
    series_key,
    to_micros,
)
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id, check_utc
from memcore.infrastructure.inmemory.awaitable import awaitable

__all__ = ["AsyncInMemoryMetricStorage", "InMemoryMetricStorage"]

_FIELDS = frozenset({"name", "value", "timestamp", "tags"})


def _now() -> datetime:
    return datetime.now(UTC)


class InMemoryMetricStorage:
    """SQLMetricStorage's methods and results, on lists."""

    def __init__(self, *, clock: Callable[[], datetime] = _now) -> None:
        self.clock = clock
        self.series: dict[str, int] = {}  # series key -> creation order
        self.points: list[tuple[int, int, Point]] = []  # (micros, insertion order, point)
        self._order = itertools.count()  # never reused, as the SQL ids are not after a delete

    def setup(self) -> None:
        """Nothing to migrate."""

    def close(self) -> None:
        """Nothing to close."""

    def _checked(self, raw: Any) -> Point:
        if isinstance(raw, Point):
            raw = {"name": raw.name, "value": raw.value, "timestamp": raw.timestamp, "tags": raw.tags}
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"a point must be a Point or a mapping, got {type(raw).__name__}")
        if not raw.keys() <= _FIELDS:
            raise InvalidInput(f"unknown point field {', '.join(sorted(map(str, set(raw) - _FIELDS)))}")
        at = raw.get("timestamp")
        at = self.clock() if at is None else at  # read before any check, as the SQL storages do
        name, tags = check_id("name", raw.get("name")), check_tags(raw.get("tags"))
        return Point(name, check_value("value", raw.get("value")), check_utc("timestamp", at), tags)

    def record(self, name: str, value: float, timestamp: datetime | None = None, tags: Mapping | None = None) -> None:
        self.record_many([{"name": name, "value": value, "timestamp": timestamp, "tags": tags}])

    def record_many(self, points: Iterable[Point | Mapping[str, Any]]) -> int:
        if isinstance(points, Mapping | str | bytes | Point):
            raise InvalidInput("points must be a list of points")
        checked = [self._checked(raw) for raw in points]
        if len(checked) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} points can be recorded at once")
        for point in checked:
            self.series.setdefault(series_key(point.name, point.tags), len(self.series))
            self.points.append((to_micros("timestamp", point.timestamp), next(self._order), point))
        return len(checked)

    def _matching(self, name: Any, start: Any, end: Any, tags: Any) -> list[tuple[int, int, Point]]:
        name, (low, high), tags = check_id("name", name), check_range(start, end), check_tags(tags)
        return sorted(
            entry for entry in self.points
            if entry[2].name == name and (low is None or entry[0] >= low) and (high is None or entry[0] < high)
            and all(tag in entry[2].tags and _same(entry[2].tags[tag], value) for tag, value in tags.items())
        )  # fmt: skip

    def query(self, name: str, start: datetime | None = None, end: datetime | None = None,
              tags: Mapping | None = None, limit: int | None = None) -> list[Point]:  # fmt: skip
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer or None, got {limit!r}")
        found = [point for _, _, point in self._matching(name, start, end, tags)]
        return found if limit is None else found[:limit]

    def aggregate(self, name: str, bucket: Any, start: datetime | None = None, end: datetime | None = None,
                  tags: Mapping | None = None) -> list[Bucket]:  # fmt: skip
        width = bucket_seconds(bucket) * 1_000_000
        buckets: dict[int, list[float]] = {}
        for micros, _, point in self._matching(name, start, end, tags):
            buckets.setdefault(micros - micros % width, []).append(point.value)
        return [
            Bucket(from_micros(at), len(v), math.fsum(v), min(v), max(v), math.fsum(v) / len(v))
            for at, v in sorted(buckets.items())
        ]

    def latest(self, name: str, tags: Mapping | None = None) -> list[Point]:
        newest: dict[str, tuple[int, int, Point]] = {}
        for entry in self._matching(name, None, None, tags):
            newest[series_key(entry[2].name, entry[2].tags)] = entry  # sorted: the last is the newest
        return [newest[key][2] for key in sorted(newest, key=self.series.__getitem__)]

    def delete_before(self, before: datetime, name: str | None = None) -> int:
        cutoff, name = to_micros("before", before), None if name is None else check_id("name", name)
        kept = [e for e in self.points if not (e[0] < cutoff and (name is None or e[2].name == name))]
        gone, self.points = len(self.points) - len(kept), kept
        return gone


def _same(stored: Any, wanted: Any) -> bool:
    """Tag equality as the SQL storages compare: by JSON text, so 1, 1.0, "1" and true differ."""
    return type(stored) is type(wanted) and stored == wanted


class AsyncInMemoryMetricStorage:
    """InMemoryMetricStorage with every method awaitable, as AsyncSQLMetricStorage's are."""

    def __init__(self, **options: Any) -> None:
        self.inner = InMemoryMetricStorage(**options)

    for _name in ("setup", "close", "record", "record_many", "query", "aggregate", "latest", "delete_before"):
        locals()[_name] = awaitable(_name)
    del _name
