"""Crash atomicity: a child doing bulk writes is SIGKILLed at random points, many times.

After every kill the store must open, pass its integrity checks (SQLite: integrity_check,
foreign_key_check and each FTS5 index against its table; MariaDB: CHECK TABLE), hold every batch
whole or not at all, and hold every batch the child acknowledged (logged after commit returned).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import memcore
from memcore import commands as c
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from tests.reliability.conftest import SCALE
from tests.reliability.test_concurrency import dialect_of
from tests.reliability.workers import CONTEXT, bulk_writer

BATCH = {"ideas": 40, "conflicts": 40, "ltm_entries": 40, "knowledge": 30, "posts": 1, "checkpoints": 40}
# What each context stores per batch row, as (sql, how a row names its batch).
STORED = {
    "ideas": "SELECT source_id FROM idea_inspiration",
    "conflicts": "SELECT id FROM conflicts",
    "ltm_entries": "SELECT {key} FROM ltm_entries",
    "knowledge": "SELECT external_id FROM knowledge_chunks WHERE source = 'crash'",
}


def stored_batches(engine: Engine, context: str) -> tuple[Counter, int]:
    """Rows stored per batch tag, and the sequence gaps (posts and checkpoints are numbered)."""
    with engine.connect() as connection:
        if context in STORED:
            key = engine.dialect.identifier_preparer.quote("key")
            rows = connection.execute(text(STORED[context].format(key=key))).scalars()
            return Counter(row.split("/")[0] for row in rows), 0
        if context == "posts":
            rows = list(connection.execute(text("SELECT content, sequence FROM messages ORDER BY sequence")))
            tags, sequences = Counter(r[0] for r in rows), [r[1] for r in rows]
        else:
            rows = list(connection.execute(text("SELECT state, sequence FROM pipeline_checkpoints ORDER BY sequence")))
            import json

            states = [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]
            tags = Counter()
            for state in states:
                tags[state["tag"]] += len(state["writes"])
            sequences = [r[1] for r in rows]
    return tags, int(sequences != list(range(1, len(sequences) + 1)))


def integrity_failures(engine: Engine) -> list[str]:
    failures = []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            if check != "ok":
                failures.append(f"integrity_check: {check}")
            if list(connection.exec_driver_sql("PRAGMA foreign_key_check")):
                failures.append("foreign_key_check found orphans")
            indexes = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
            ).scalars()
            for name in list(indexes):
                try:
                    connection.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
                except Exception as exc:
                    failures.append(f"{name}: {exc}")
            connection.rollback()
        elif engine.dialect.name == "mysql":
            tables = connection.exec_driver_sql("SHOW TABLES").scalars().all()
            for row in connection.exec_driver_sql(f"CHECK TABLE {', '.join(f'`{t}`' for t in tables)}"):
                if row[2] == "error" or (row[2] == "status" and row[3] != "OK"):
                    failures.append(f"{row[0]}: {row[3]}")
        else:  # PostgreSQL: every table and index readable end to end
            for table in ("conflicts", "idea_inspiration", "ltm_entries", "knowledge_chunks", "messages",
                          "pipeline_checkpoints"):  # fmt: skip
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    return failures


def acknowledged(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().split("\n") if line.strip()]


def kill_once(url: str, context: str, run: int, ack: Path) -> None:
    """Start a writer, let it acknowledge at least one batch, then SIGKILL it at a random moment."""
    child = CONTEXT.Process(target=bulk_writer, args=(url, context, run, BATCH[context], str(ack)))
    child.start()
    deadline = time.monotonic() + 60
    while not acknowledged(ack) and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.002)
    assert child.is_alive(), f"the writer died by itself (exit code {child.exitcode})"
    time.sleep(random.uniform(0, 0.08))
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)


@pytest.mark.parametrize("context", list(BATCH))
def test_a_writer_killed_mid_batch_leaves_whole_batches_and_every_acknowledged_one(database, context, tmp_path,
                                                                                      results):  # fmt: skip
    dialect = dialect_of(database)
    kills = SCALE["kills_sqlite"] if dialect == "sqlite" else SCALE["kills_server"]
    if context == "posts":
        with memcore.connect(database) as app:
            app.handle(c.StartConversation(title="crash"))
    engine = build_engine(Settings(url=database))
    lost = partial = failures = acked_total = gaps = 0
    try:
        for run in range(kills):
            ack = tmp_path / f"ack-{run}"
            kill_once(database, context, run, ack)
            with memcore.connect(database) as app:  # the store opens cleanly
                app.revision()
            failures += len(integrity_failures(engine))
            tags, gap = stored_batches(engine, context)
            gaps += gap
            batch = BATCH[context]
            partial += sum(1 for tag, n in tags.items() if tag.startswith(f"r{run}-") and n != batch)
            acked = acknowledged(ack)
            acked_total += len(acked)
            lost += sum(1 for n in acked if tags.get(f"r{run}-{n}") != batch)
    finally:
        engine.dispose()
    results.record("crash atomicity", dialect, context, kills=kills, batch_rows=BATCH[context],
                   acknowledged=acked_total, lost=lost, partial=partial, integrity_failures=failures,
                   gaps=gaps)  # fmt: skip
    assert (lost, partial, failures, gaps) == (0, 0, 0, 0)
