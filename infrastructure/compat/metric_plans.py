"""The SQL of metric storage, as plans (sqlalchemy/plans.py) both storages run.

Points are written with multi-row INSERTs after their series are found (or created) by key;
tag filters are EXISTS over `metric_series_tags`; a bucket is `ts - ((ts % w) + w) % w` with the
width `w` in microseconds as a literal (it comes from the fixed list of bucket sizes), which is
floor arithmetic with the same result on every dialect, negative timestamps included.
"""

from collections.abc import Mapping
from typing import Any

from memcore.domain.metrics.model import Bucket, Point, from_micros, tag_text
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.plans import Plan
from memcore.infrastructure.sqlalchemy.tables import metric_series

ROWS_PER_INSERT = 1000
FROM = "FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.name = :name"


def _where(start: int | None, end: int | None, tags: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The filters after `s.name = :name`, and their parameters."""
    sql, params = "", {}
    if start is not None:
        sql += " AND p.ts >= :start"
        params["start"] = start
    if end is not None:
        sql += " AND p.ts < :end"
        params["end"] = end
    sql += _tag_filter(tags, params)
    return sql, params


def _tag_filter(tags: Mapping[str, Any], params: dict[str, Any]) -> str:
    sql = ""
    for i, (tag, value) in enumerate(tags.items()):
        sql += (
            f" AND EXISTS (SELECT 1 FROM metric_series_tags t WHERE t.series_id = s.id"
            f" AND t.tag = :tag{i} AND t.value = :value{i})"
        )
        params[f"tag{i}"], params[f"value{i}"] = tag, tag_text(value)
    return sql


class MetricPlans:
    """Every operation of metric storage, for one SQL dialect."""

    def __init__(self, dialect: Any) -> None:
        self.tags_codec = RowCodec(metric_series, ("tags",), dialect)
        self.series: dict[str, int] = {}  # series key -> id, of series known to be committed
        self._inserts: dict[int, str] = {}

    def _points_sql(self, count: int) -> str:
        """The INSERT of `count` points, built once per count; its values go by position."""
        found = self._inserts.get(count)
        if found is None:
            values = ", ".join(f"(:s{i}, :t{i}, :v{i})" for i in range(count))
            found = self._inserts[count] = f"INSERT INTO metric_points (series_id, ts, value) VALUES {values}"
        return found

    def record(self, batch: Any) -> Plan[dict[str, int]]:
        """Write a checked batch (metrics.Batch); the ids of the series this created."""
        keys, micros, values, series = batch
        known = self.series
        found = {key: known[key] for key in series if key in known}
        created: dict[str, int] = {}
        missing = {key: pair for key, pair in series.items() if key not in found}
        if missing:
            created = yield from self._series(missing)
            found.update(created)
        ids = list(map(found.__getitem__, keys))
        for start in range(0, len(ids), ROWS_PER_INSERT):
            end = start + ROWS_PER_INSERT
            chunk = ids[start:end]
            flat: list[Any] = [None] * (3 * len(chunk))
            flat[0::3], flat[1::3], flat[2::3] = chunk, micros[start:end], values[start:end]
            yield ("execute_positional", self._points_sql(len(chunk)), flat)
        return created

    def _series(self, missing: dict[str, tuple[str, dict[str, Any]]]) -> Plan[dict[str, int]]:
        """The ids of these series (key -> name and tags), inserting those not stored (a concurrent
        creator makes the runner retry)."""
        select = "SELECT id, series_key FROM metric_series WHERE series_key IN (:keys)"
        rows = yield ("fetch_all", select, {"keys": list(missing)})
        ids = {row["series_key"]: row["id"] for row in rows}
        new = [key for key in missing if key not in ids]
        for key in new:
            name, tags = missing[key]
            yield ("execute", "INSERT INTO metric_series (name, tags, series_key) VALUES (:n, :t, :k)",
                   {"n": name, "t": self.tags_codec.encode([tags])[0], "k": key})  # fmt: skip
        if new:
            rows = yield ("fetch_all", select, {"keys": new})
            ids.update({row["series_key"]: row["id"] for row in rows})
            tag_rows = [(ids[key], tag, tag_text(value)) for key in new for tag, value in missing[key][1].items()]
            for series, tag, value in tag_rows:
                yield ("execute", "INSERT INTO metric_series_tags (series_id, tag, value) VALUES (:s, :t, :v)",
                       {"s": series, "t": tag, "v": value})  # fmt: skip
        return ids

    def query(self, name: str, start: Any, end: Any, tags: dict[str, Any], limit: int | None) -> Plan[list[Point]]:
        where, params = _where(start, end, tags)
        sql = f"SELECT s.tags, p.ts, p.value {FROM}{where} ORDER BY p.ts, p.id"
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        rows = yield ("fetch_all", sql, {"name": name, **params})
        return [Point(name, row["value"], from_micros(row["ts"]), self._tags(row["tags"])) for row in rows]

    def aggregate(self, name: str, width: int, start: Any, end: Any, tags: dict[str, Any]) -> Plan[list[Bucket]]:
        w = width * 1_000_000
        bucket = f"(p.ts - ((p.ts % {w}) + {w}) % {w})"
        where, params = _where(start, end, tags)
        sql = (
            f"SELECT {bucket} AS bucket_start, COUNT(*) AS n, SUM(p.value) AS total, MIN(p.value) AS low, "
            f"MAX(p.value) AS high, AVG(p.value) AS mean {FROM}{where} GROUP BY bucket_start ORDER BY bucket_start"
        )
        rows = yield ("fetch_all", sql, {"name": name, **params})
        return [
            Bucket(from_micros(int(r["bucket_start"])), int(r["n"]), float(r["total"]), float(r["low"]),
                   float(r["high"]), float(r["mean"]))
            for r in rows
        ]  # fmt: skip

    def latest(self, name: str, tags: dict[str, Any]) -> Plan[list[Point]]:
        """The newest point of each series of the name (matching the tags), series in creation order."""
        params: dict[str, Any] = {"name": name}
        sql = (
            "SELECT s.tags, p.ts, p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.id "
            "WHERE s.name = :name AND p.id = (SELECT q.id FROM metric_points q WHERE q.series_id = s.id "
            f"ORDER BY q.ts DESC, q.id DESC LIMIT 1){_tag_filter(tags, params)} ORDER BY s.id"
        )
        rows = yield ("fetch_all", sql, params)
        return [Point(name, row["value"], from_micros(row["ts"]), self._tags(row["tags"])) for row in rows]

    def delete_before(self, cutoff: int, name: str | None) -> Plan[int]:
        sql, params = "DELETE FROM metric_points WHERE ts < :cutoff", {"cutoff": cutoff}
        if name is not None:
            sql += " AND series_id IN (SELECT id FROM metric_series WHERE name = :name)"
            params["name"] = name
        return (yield ("execute", sql, params))

    def _tags(self, text: Any) -> dict[str, Any]:
        return self.tags_codec.decode([text])[0]
