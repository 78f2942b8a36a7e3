"""The bulk path of metric batches: a list of ready `Point`s checked and turned into columns by
C-level passes (map, zip, set), each distinct series checked once; for `_Metrics._points`.

It answers None whenever a point is not plainly good (not a Point, not a finite float, not a UTC
datetime of years 1000-9999, a series that fails its checks); the per-point path then runs and
says what is wrong. Series are grouped by (name, tags object) first, so tags dicts shared by many
points (one per series, as hosts tend to keep them) are looked at once.
"""

from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter, floordiv, sub
from typing import Any

from memcore.domain.metrics.model import EPOCH, MAX_BATCH, MICROSECOND, Point, check_tags, series_key
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id

Batch = tuple[list[str], list[int], list[float], dict[str, tuple[str, dict[str, Any]]]]
"""A checked batch: each point's series key, time in microseconds and value; each series' name and tags."""

_FIELDS = attrgetter("name", "value", "timestamp", "tags")
_ZONE, _YEAR = attrgetter("tzinfo"), attrgetter("year")


def bulk_points(points: list[Any]) -> Batch | None:
    """The batch, or None when the per-point path must look at it."""
    if not 0 < len(points) <= MAX_BATCH or set(map(type, points)) != {Point}:
        return None
    names, values, stamps, tag_dicts = zip(*map(_FIELDS, points), strict=True)
    if set(map(type, values)) != {float} or set(map(type, stamps)) != {datetime}:
        return None
    total = sum(values)
    if total - total != 0.0 or set(map(_ZONE, stamps)) != {UTC}:
        return None  # a NaN or an infinity (or a sum past the double range: the per-point path decides)
    years = set(map(_YEAR, stamps))
    if min(years) < 1000 or max(years) > 9999:
        return None
    ids = list(map(id, tag_dicts))  # the list holds every point: no tags dict is freed, no id reused
    pairs = list(zip(names, ids, strict=True))
    distinct = dict(zip(pairs, tag_dicts, strict=True))  # (name, tags id) -> tags
    series = _series(distinct)
    if series is None:
        return None
    keys = list(map(distinct.__getitem__, pairs))
    micros = list(map(floordiv, map(sub, stamps, repeat(EPOCH)), repeat(MICROSECOND)))
    return keys, micros, list(values), series


def _series(distinct: dict[tuple[Any, int], Any]) -> dict[str, tuple[str, dict[str, Any]]] | None:
    """Turn `distinct` into (name, tags id) -> series key; each series' checked name and tags, or None
    if one fails. Equal tags in distinct dicts are checked once: they are one series when equal with
    their value types (1, 1.0 and true differ)."""
    memos: dict[Any, str] = {}
    series: dict[str, tuple[str, dict[str, Any]]] = {}
    for pair, tags in distinct.items():
        name = pair[0]
        try:
            memo = (name, *tags.items(), *map(type, tags.values())) if type(tags) is dict else (name, tags)
            key = memos.get(memo)
            if key is None:
                checked_name, checked = check_id("name", name), check_tags(tags)
                key = memos[memo] = series_key(checked_name, checked)
                series.setdefault(key, (checked_name, checked))
        except (InvalidInput, TypeError):  # TypeError: an unhashable value among the tags
            return None
        distinct[pair] = key
    return series
