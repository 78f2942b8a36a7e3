"""Async writers in several processes into one SQLite file: "database is locked" never reaches them.

Issue 19: the sync paths send again a `BEGIN IMMEDIATE` that timed out on the lock (sqlite_lock.py);
the asyncio paths (`AsyncDatabase.transaction()` and sqlite_hop's one-hop plans) did not, so a writer
that waited longer than one busy timeout got StorageTimeout. Here one process holds the write lock
for four busy timeouts, twice, while the others write: every write must land, in one exact order.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

import memcore
from tests.reliability.conftest import SCALE
from tests.reliability.test_concurrency import p99
from tests.reliability.workers import ASYNC_TABLE, async_writer, run_processes

BUSY_MS, HOLD_S = 250, 1.0  # the holder outlasts 4 busy timeouts; the lock wait allows 12


@pytest.mark.parametrize("route", ["transaction", "one-hop plan"])
def test_async_writers_in_several_processes_never_see_a_locked_database(tmp_path, route, results):
    url = f"sqlite:///{tmp_path / 'async.db'}"
    with memcore.connect(url) as app:
        app.migrate()
    raw = sqlite3.connect(url.removeprefix("sqlite:///"))
    raw.execute(f"CREATE TABLE {ASYNC_TABLE} (seq INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE)")
    raw.commit()
    count, writes, session = SCALE["processes"], SCALE["posts"], "async-race"
    start = time.perf_counter()
    outs = run_processes(async_writer, count, (url, route.split(" ")[0], session, writes, BUSY_MS, HOLD_S))
    elapsed = time.perf_counter() - start
    errors = [e for out in outs for e in out["errors"]]
    acked = [tag for out in outs for tag in out["written"]]
    if route == "transaction":
        rows = raw.execute(f"SELECT seq, tag FROM {ASYNC_TABLE} ORDER BY seq").fetchall()
        sequences, stored = [r[0] for r in rows], [r[1] for r in rows]
    else:
        rows = raw.execute(
            "SELECT m.sequence, m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "ORDER BY m.sequence"
        ).fetchall()
        sequences, stored = [r[0] for r in rows], [r[1] for r in rows]
    raw.close()
    by_task: dict[str, list[int]] = {}
    for tag in stored:
        who, n = tag.split(":")
        by_task.setdefault(who, []).append(int(n))
    expected = (count - 1) * 2 * writes
    latencies = [x for out in outs for x in out["latencies"]]
    gaps = int(sequences != list(range(1, len(sequences) + 1)))
    out_of_order = sum(ns != sorted(ns) for ns in by_task.values())
    results.record("concurrency", "sqlite", f"async writers, lock held 4 busy timeouts ({route})",
                   processes=count, calls=expected, errors=len(errors),
                   locked_errors=sum("locked" in e or "StorageTimeout" in e for e in errors),
                   lost=len(set(acked) - set(stored)), gaps=gaps, out_of_order=out_of_order,
                   throughput_per_s=len(acked) / elapsed, p99_ms=p99(latencies))  # fmt: skip
    assert errors == [], errors[:3]
    assert sorted(stored) == sorted(acked) and len(stored) == expected
    assert (gaps, out_of_order) == (0, 0)
