"""Metric points, series, buckets and the rules they keep.

A series is a metric name with one set of tags (a JSON object of scalars); a point is one value
of a series at one UTC instant, kept to the microsecond. Buckets are fixed widths from one second
to one day, aligned on the Unix epoch (so day buckets start at midnight UTC).
"""

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id, check_text, check_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
TAG_VALUE_MAX_LENGTH = 255  # of the value's JSON text
MAX_TAGS = 32
MAX_BATCH = 100_000
BUCKETS = {
    "1s": 1, "5s": 5, "10s": 10, "15s": 15, "30s": 30, "1m": 60, "5m": 300, "10m": 600, "15m": 900, "30m": 1800,
    "1h": 3600, "2h": 7200, "3h": 10800, "4h": 14400, "6h": 21600, "12h": 43200, "1d": 86400,
}  # fmt: skip
_SCALARS = (str, int, float, bool, type(None))


def check_value(name: str, value: Any) -> float:
    """A finite number, as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{name} must be a number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise InvalidInput(f"{name} is too large for a double") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{name} must be finite, got {value!r}")
    return value


def check_tags(tags: Any) -> dict[str, Any]:
    """A JSON object of scalar values, with its keys sorted (two spellings of a series are one)."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidInput(f"tags must be a JSON object (dict), got {type(tags).__name__}")
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags, got {len(tags)}")
    checked = {}
    for key in sorted(tags, key=lambda k: (not isinstance(k, str), str(k))):
        value = tags[key]
        check_id("tag name", key)
        if not isinstance(value, _SCALARS) or (isinstance(value, float) and not math.isfinite(value)):
            raise InvalidInput(f"tag {key!r} must be a string, number, boolean or null, got {value!r}"[:200])
        if len(tag_text(value)) > TAG_VALUE_MAX_LENGTH:
            raise InvalidInput(f"tag {key!r} is longer than {TAG_VALUE_MAX_LENGTH} characters")
        checked[key] = value
    return checked


def tag_text(value: Any) -> str:
    """A tag value as stored for equality: its JSON text, so 1, 1.0, "1" and true stay distinct."""
    if isinstance(value, str):
        check_text("tag value", value)
    return json.dumps(value, ensure_ascii=False)


def series_key(name: str, tags: dict[str, Any]) -> str:
    text = json.dumps([name, tags], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_micros(name: str, at: Any) -> int:
    return (check_utc(name, at) - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


def bucket_seconds(bucket: Any) -> int:
    """The width of a bucket given as "5m" or as a timedelta; one of BUCKETS, else InvalidInput."""
    if isinstance(bucket, timedelta) and bucket.total_seconds() in BUCKETS.values() and not bucket.microseconds:
        return int(bucket.total_seconds())
    if isinstance(bucket, str) and bucket in BUCKETS:
        return BUCKETS[bucket]
    raise InvalidInput(f"unknown bucket size {bucket!r}; expected one of {', '.join(BUCKETS)} (or such a timedelta)")


@attrs.frozen
class Point:
    """One value of a series at one instant (UTC)."""

    name: str
    value: float
    timestamp: datetime
    tags: dict[str, Any] = attrs.field(factory=dict)

    @classmethod
    def checked(cls, name: Any, value: Any, timestamp: Any, tags: Any = None) -> "Point":
        return cls(
            check_id("name", name), check_value("value", value), check_utc("timestamp", timestamp), check_tags(tags)
        )


@attrs.frozen
class Bucket:
    """The aggregates of one time bucket; `start` is inclusive, `start + width` exclusive."""

    start: datetime
    count: int
    sum: float
    min: float
    max: float
    avg: float


def check_range(start: Any, end: Any) -> tuple[int | None, int | None]:
    """A half-open time range [start, end), either end open when None, in microseconds."""
    low = None if start is None else to_micros("start", start)
    high = None if end is None else to_micros("end", end)
    if low is not None and high is not None and high < low:
        raise InvalidInput("end must not be before start")
    return low, high
