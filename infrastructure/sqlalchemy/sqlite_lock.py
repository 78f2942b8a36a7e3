"""Waiting longer for SQLite's write lock than one busy timeout, where that is safe.

A writer begins `BEGIN IMMEDIATE`; SQLite waits up to the busy timeout for the lock, then fails
with "database is locked". At that point the transaction has not begun, so nothing is written
and beginning again is safe. `begin_waiting` does that, for at most LOCK_WAIT_FACTOR busy timeouts
in all (60 s at the default 5 s; then the last error goes up, translated as StorageTimeout).
Only the BEGIN is ever repeated: a statement that fails after the transaction began is never retried here.
The asyncio paths (AsyncDatabase, sqlite_hop) run the same `begin_waiting` in aiosqlite's worker
thread, where the sqlite3 connection lives, so the event loop never waits on the lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LOCK_WAIT_FACTOR = 12  # the total wait for the write lock, in busy timeouts (docs/reliability.md)


def is_locked(exc: BaseException) -> bool:
    """SQLITE_BUSY as pysqlite raises it (sqlite3.OperationalError "database is locked")."""
    return type(exc).__name__ == "OperationalError" and "database is locked" in str(exc)


def _busy_timeout_s(connection: Any) -> float:
    try:
        return connection.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    except Exception:
        return 5.0


def begin_waiting(begin: Callable[[], Any], connection: Any = None, total_s: float | None = None) -> Any:
    """Run `begin` (a BEGIN IMMEDIATE on the sqlite3 `connection`), again while it fails on the
    lock, up to `total_s` in all (default: LOCK_WAIT_FACTOR busy timeouts of `connection`)."""
    deadline: float | None = None
    pause = 0.005
    while True:
        try:
            return begin()
        except Exception as exc:
            if not is_locked(exc):
                raise
            if deadline is None:  # the first failure already waited one busy timeout
                budget = total_s if total_s is not None else LOCK_WAIT_FACTOR * _busy_timeout_s(connection)
                deadline = time.monotonic() + budget
            if time.monotonic() + pause >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def begin_sql_waiting(connection: Any, sql: str) -> None:
    """`sql` (a BEGIN IMMEDIATE) on the sqlite3 `connection`, waiting for the lock as `begin_waiting`."""
    begin_waiting(lambda: connection.execute(sql).close(), connection)


async def begin_waiting_in_worker(connection: Any, sql: str) -> None:
    """`begin_sql_waiting` on an aiosqlite `connection`, run in its worker thread."""
    await connection._execute(begin_sql_waiting, connection._conn, sql)
