"""Crash atomicity: a child doing bulk writes is SIGKILLed at random points, many times.

After every kill the store must open, pass its integrity checks (SQLite: integrity_check,
foreign_key_check and each FTS5 index against its table; MariaDB: CHECK TABLE), hold every batch
whole or not at all, and hold every batch the child acknowledged (logged after commit returned).
The writers and the checks are memcore.infrastructure.bench.fault_crash's, which the faults bench
runs as well.
"""

from __future__ import annotations

import pytest

import memcore
from memcore import commands as c
from memcore.infrastructure.bench.fault_crash import BATCH, count_run, integrity_failures, kill_once
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from tests.reliability.conftest import SCALE
from tests.reliability.test_concurrency import dialect_of


@pytest.mark.parametrize("context", list(BATCH))
def test_a_writer_killed_mid_batch_leaves_whole_batches_and_every_acknowledged_one(database, context, tmp_path,
                                                                                      results):  # fmt: skip
    dialect = dialect_of(database)
    kills = SCALE["kills_sqlite"] if dialect == "sqlite" else SCALE["kills_server"]
    if context == "posts":
        with memcore.connect(database) as app:
            app.handle(c.StartConversation(title="crash"))
    engine = build_engine(Settings(url=database))
    totals = dict.fromkeys(("acknowledged", "lost", "partial", "gaps"), 0)
    failures = 0
    try:
        for run in range(kills):
            ack = tmp_path / f"ack-{run}"
            kill_once(database, context, run, ack)
            with memcore.connect(database) as app:  # the store opens cleanly
                app.revision()
            failures += len(integrity_failures(engine))
            for name, n in count_run(engine, context, run, ack).items():
                totals[name] += n
    finally:
        engine.dispose()
    results.record("crash atomicity", dialect, context, kills=kills, batch_rows=BATCH[context],
                   acknowledged=totals["acknowledged"], lost=totals["lost"], partial=totals["partial"],
                   integrity_failures=failures, gaps=totals["gaps"])  # fmt: skip
    assert (totals["lost"], totals["partial"], failures, totals["gaps"]) == (0, 0, 0, 0)
