"""Waiting longer for SQLite's write lock than one busy timeout, where that is safe.

A writer begins `BEGIN IMMEDIATE`; SQLite waits up to the busy timeout for the lock, then fails
with "database is locked". At that point the transaction has not begun, so nothing is written
and beginning again is safe. `begin_waiting` does that, for at most `LOCK_WAIT_S` seconds in all
(then the last error goes up, translated as StorageTimeout). Only the BEGIN is ever repeated: a
statement that fails after the transaction began is never retried here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LOCK_WAIT_S = 60.0  # the documented total wait for the write lock (docs/reliability.md)


def is_locked(exc: BaseException) -> bool:
    """SQLITE_BUSY as pysqlite raises it (sqlite3.OperationalError "database is locked")."""
    return type(exc).__name__ == "OperationalError" and "database is locked" in str(exc)


def begin_waiting(begin: Callable[[], Any], total_s: float | None = None) -> Any:
    """Run `begin` (a BEGIN IMMEDIATE), again while it fails on the lock, up to `total_s` in all."""
    deadline = time.monotonic() + (LOCK_WAIT_S if total_s is None else total_s)
    pause = 0.005
    while True:
        try:
            return begin()
        except Exception as exc:
            if not is_locked(exc) or time.monotonic() + pause >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
