"""The "metrics" workload: batch ingest and a bucketed aggregate, through SQLMetricStorage and by hand.

`ingest_batch_1000` records the points 1,000 at a time across 10 series; the raw side is the
DB-API driver's `executemany` of the same rows (series ids known), one transaction a batch (the
issue asks for at least 0.8x its throughput). `aggregate_1m` is one per-minute aggregate (count,
sum, min, max, avg) over every point, the same SQL on the raw side: run with `--rows 1000000` for
the issue's 1M-point figure. The points it reads are loaded, when missing, through memcore's bulk
path (`record_many`, MAX_BATCH points a call), which takes about as long as one ingest phase; one
untimed aggregate a round warms the caches before either side is timed.
"""

import json
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.domain.metrics.model import MAX_BATCH, Point, to_micros
from memcore.infrastructure.bench.phase import Phase, Target
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.compat.metrics import SQLMetricStorage
from memcore.infrastructure.sqlalchemy.database import Database

DEFAULT_ROWS = 100_000
BATCH = 1_000
SERIES = 10
NAME = "bench.latency_ms"
START = datetime(2026, 1, 1, tzinfo=UTC)
MINUTE_US = 60_000_000


def open_storage(bench: Any, stack: ExitStack) -> tuple[Database, SQLMetricStorage]:
    """The metric storage a metrics bench measures, on the bench's URL, refusing tables that hold
    metrics other than the bench's own (they would be deleted)."""
    bench._refuse_foreign_rows({"metric series": "metric_series WHERE name NOT LIKE 'bench.%'"}, "the metric tables")
    db = Database(bench.settings.url)
    stack.callback(db.close)
    return db, SQLMetricStorage(db)


class MetricsWorkload(BenchWorkload):
    freeze_data = True
    _warm = False

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.db, self.storage = open_storage(self, stack)
        tags = [{"host": f"h{i}"} for i in range(SERIES)]  # one dict a series: 1M points fit in memory
        self.points = [
            Point(NAME, float(i % 997), START + timedelta(milliseconds=i), tags[i % SERIES]) for i in range(self.rows)
        ]
        self.storage.record_many(self.points[:SERIES])  # the series, created once
        ids = {json.loads(tags)["host"]: id_ for id_, tags in self._rows("SELECT id, tags FROM metric_series")}
        self.raw_rows = [(ids[p.tags["host"]], to_micros("ts", p.timestamp), p.value) for p in self.points]
        m = self.mark
        self.sql_insert = f"INSERT INTO metric_points (series_id, ts, value) VALUES ({m}, {m}, {m})"
        w, mod = MINUTE_US, "%%" if m == "%s" else "%"  # the format paramstyle doubles a literal %
        self.sql_aggregate = (
            f"SELECT (p.ts - ((p.ts {mod} {w}) + {w}) {mod} {w}) AS bucket_start, COUNT(*) AS n, "
            "SUM(p.value) AS total, MIN(p.value) AS low, MAX(p.value) AS high, AVG(p.value) AS mean "
            f"FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.name = {m} "
            "GROUP BY bucket_start ORDER BY bucket_start"
        )

    def _rows(self, sql: str) -> list[tuple]:
        cursor = self.conn.cursor()
        cursor.execute(sql)
        rows = [tuple(row) for row in cursor.fetchall()]
        cursor.close()
        self.conn.rollback()
        return rows

    def phases(self) -> Sequence[Phase]:
        batches = range(0, self.rows, BATCH)
        return [
            Phase("ingest_batch_1000", self.rows, lambda: self._ingest(batches), lambda: self._raw_ingest(batches),
                  before=self._clear, after=self._stored, target=Target("pct_of_raw", 80)),
            Phase("aggregate_1m", 1, self._aggregate, self._raw_aggregate, before=self._filled,
                  note=f"one per-minute aggregate over {self.rows:,} points"),
        ]  # fmt: skip

    def _clear(self) -> None:
        self._empty("metric_points")
        self._warm = False

    def _stored(self) -> int:
        return self._count("metric_points", "ingest")

    def _filled(self) -> None:
        if self._scalar("SELECT COUNT(*) FROM metric_points") != self.rows:
            self._clear()
            for start in range(0, self.rows, MAX_BATCH):
                self.storage.record_many(self.points[start : start + MAX_BATCH])
            self._analyze("metric_points")
        if not self._warm:  # one untimed aggregate a round, so the side that goes first is not the cold one
            self._raw_aggregate()
            self._warm = True

    def _ingest(self, batches: range) -> int:
        record = self.storage.record_many
        return sum(record(self.points[start : start + BATCH]) for start in batches)

    def _raw_ingest(self, batches: range) -> int:
        conn, cursor = self.conn, self.conn.cursor()
        for start in batches:
            if self.backend == "sqlite":
                cursor.execute("BEGIN")
            cursor.executemany(self.sql_insert, self.raw_rows[start : start + BATCH])
            conn.commit()
        cursor.close()
        return self.rows

    def _aggregate(self) -> tuple[int, int]:
        buckets = self.storage.aggregate(NAME, "1m")
        return len(buckets), sum(b.count for b in buckets)

    def _raw_aggregate(self) -> tuple[int, int]:
        cursor = self.conn.cursor()
        cursor.execute(self.sql_aggregate, (NAME,))
        rows = cursor.fetchall()
        cursor.close()
        self.conn.rollback()
        return len(rows), sum(int(row[1]) for row in rows)
