"""Writers on the raw Database and SQLCheckpointer: SQLite begins IMMEDIATE, and racing checkpoint
saves from several processes are numbered without a collision (no retry needed)."""

import asyncio
import multiprocessing
import sqlite3
import time

from memcore.infrastructure.compat.checkpoints import SQLCheckpointer
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import empty_tables
from tests.store_fixtures import url_of

PROCESSES, SAVES = 3, 12


def _write_locked(path: str) -> bool:
    """Whether another connection is refused the write lock right now."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        other.close()
    return False


def test_database_transaction_takes_the_write_lock_at_begin(tmp_path) -> None:
    path = str(tmp_path / "lock.db")
    db = Database(f"sqlite:///{path}")
    try:
        with db.transaction():
            assert _write_locked(path)
        assert not _write_locked(path)
    finally:
        db.close()


def test_async_database_transaction_takes_the_write_lock_at_begin(tmp_path) -> None:
    path = str(tmp_path / "lock.db")

    async def run() -> bool:
        db = AsyncDatabase(f"sqlite:///{path}")
        try:
            async with db.transaction():
                return _write_locked(path)
        finally:
            await db.close()

    assert asyncio.run(run())


def _saver(url: str, start: float, results: "multiprocessing.Queue[str]", retries: int) -> None:
    from memcore.infrastructure.compat import checkpoints

    checkpoints.SEQUENCE_RETRIES = retries

    async def run() -> None:
        db = AsyncDatabase(url)
        saver = checkpoints.SQLCheckpointer(db)
        await saver.load_checkpoint("t")  # connect before the start
        time.sleep(max(0.0, start - time.time()))
        try:
            for i in range(SAVES):
                await saver.save_checkpoint("t", "p", {"i": i})
            results.put("ok")
        except Exception as exc:
            results.put(f"{type(exc).__name__}: {exc}")
        finally:
            await db.close()

    asyncio.run(run())


def test_racing_processes_never_collide(sql_engine) -> None:
    empty_tables(sql_engine)
    url = url_of(sql_engine)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = time.time() + 3
    # SQLite and PostgreSQL queue the writers, so no collision is retried; InnoDB's gap locks can
    # still deadlock two first writers of a thread, which the retry absorbs.
    retries = 30 if sql_engine.dialect.name == "mysql" else 1
    workers = [context.Process(target=_saver, args=(url, start, results, retries)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    outcomes = [results.get(timeout=5) for _ in workers]
    assert outcomes == ["ok"] * PROCESSES

    async def sequences() -> list[int]:
        db = AsyncDatabase(url)
        try:
            rows = await SQLCheckpointer(db).list_checkpoints("t", limit=1000)
        finally:
            await db.close()
        return sorted(row["sequence"] for row in rows)

    assert asyncio.run(sequences()) == list(range(1, PROCESSES * SAVES + 1))
