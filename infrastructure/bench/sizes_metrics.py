"""The sized metrics workload (see sizes.py): `rows` points over 10 series, bulk-loaded by the raw
driver in 50,000-row transactions, then one point recorded, a series' second read back, the
newest point of every series, and a per-second aggregate of ten seconds, each through
`SQLMetricStorage` (the metrics drop-in) and each timed alone."""

import json
from contextlib import ExitStack
from datetime import timedelta

from memcore.infrastructure.bench import metrics as metric_data
from memcore.infrastructure.bench.sizes import CHUNK, OPS, SizedWorkload
from memcore.infrastructure.bench.sizes_more import Chunks, Operations

SERIES = metric_data.SERIES


class MetricsAtSize(SizedWorkload):
    table = "metric_points"

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.db, self.storage = metric_data.open_storage(self, stack)
        self.storage.record_many(  # the series, created once (their first point is deleted by load)
            [{"name": metric_data.NAME, "value": 0.0, "timestamp": metric_data.START, "tags": {"host": f"h{i}"}}
             for i in range(SERIES)]
        )  # fmt: skip
        cursor = self.conn.cursor()
        cursor.execute("SELECT id, tags FROM metric_series WHERE name = 'bench.latency_ms'")
        self.series = {json.loads(tags)["host"]: id_ for id_, tags in cursor.fetchall()}
        cursor.close()
        self.conn.rollback()

    def _clear(self) -> None:
        self._empty(self.table)

    def _chunks(self) -> Chunks:
        ids = [self.series[f"h{i}"] for i in range(SERIES)]
        start_us = metric_data.to_micros("ts", metric_data.START)
        sql = f"INSERT INTO metric_points (series_id, ts, value) VALUES ({self._marks(3)})"
        for first in range(0, self.rows, CHUNK):
            last = min(self.rows, first + CHUNK)
            yield sql, [(ids[i % SERIES], start_us + 1000 * i, float(i % 997)) for i in range(first, last)]

    def operations(self) -> Operations:
        # The windows hold a fixed number of points once the store spans them (a series has a point
        # every 10 ms): a second of one series is 100 points, ten seconds of all of them 10,000.
        storage, name, start = self.storage, metric_data.NAME, metric_data.START
        span = timedelta(milliseconds=self.rows)  # what was loaded
        seconds = [start + (span * (i * 7919 % OPS)) / OPS for i in range(OPS)]
        windows = [start + (span * (i * 104_729 % 50)) / 50 for i in range(50)]
        late = start + span + timedelta(hours=1)
        new = [(float(i), late + timedelta(milliseconds=i), {"host": f"h{i % SERIES}"}) for i in range(OPS)]
        return {
            "record": (lambda p: storage.record(name, p[0], p[1], p[2]), new),
            "query_1s": (lambda at: storage.query(name, at, at + timedelta(seconds=1), {"host": "h3"}), seconds),
            "latest": (lambda _: storage.latest(name), range(200)),
            "aggregate_10s": (lambda at: storage.aggregate(name, "1s", at, at + timedelta(seconds=10)), windows),
        }


EXTRA: dict[str, type[SizedWorkload]] = {"metrics": MetricsAtSize}
