"""Plans on an `AsyncDatabase` over SQLite in one trip to aiosqlite's worker thread.

aiosqlite runs each call on its connection in a thread of its own, so a plan driven statement by
statement pays a thread hop (and an event-loop wake-up) per statement, its BEGIN and COMMIT
included. Here the whole plan, transaction and all, runs in that thread on the sqlite3 connection
in one hop: writers begin IMMEDIATE (they take the write lock first, so none has to give way
half done, and wait for it as the sync paths do: sqlite_lock.py), named parameters go to sqlite3
as they are, and driver errors become memcore's own before they leave the thread. Anything else
(another dialect or driver, or a plan inside an open `transaction()`, whose connection the
context owns) goes the ordinary `run_async` way.
"""

import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from memcore.infrastructure.sqlalchemy.plans import ATTEMPTS, RETRIED, Plan, Rollback, run_async
from memcore.infrastructure.sqlalchemy.raw_sql import driver_error
from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_sql_waiting

T = TypeVar("T")


def _drive(conn: sqlite3.Connection, plan: Plan[T]) -> T:
    result: Any = None
    try:
        while True:
            method, sql, params = plan.send(result)
            cursor = conn.execute(sql, params or ())
            try:
                if method == "execute":
                    result = max(cursor.rowcount, 0)
                elif method == "fetch_all":
                    result = cursor.fetchall()
                else:
                    row = cursor.fetchone()
                    result = row if method == "fetch_one" or row is None else row[0]
            finally:
                cursor.close()
    except StopIteration as stop:
        return stop.value
    finally:
        plan.close()


def _run(conn: sqlite3.Connection, make: Callable[[], Plan[T]], write: bool, dialect: Any) -> T:
    """Runs in the worker thread."""
    for attempt in range(ATTEMPTS):
        sql = "BEGIN IMMEDIATE"
        try:
            if not write:
                return _drive(conn, make())
            begin_sql_waiting(conn, sql)  # a BEGIN that timed out on the lock is sent again
            try:
                value = _drive(conn, make())
                sql = "COMMIT"
                conn.execute(sql).close()
                return value
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
        except Rollback as rollback:
            return rollback.value
        except sqlite3.Error as exc:
            error = driver_error(exc, sql, dialect, invalidated=False)
            if not isinstance(error, RETRIED) or attempt == ATTEMPTS - 1:
                raise error from exc
        except RETRIED:
            if attempt == ATTEMPTS - 1:
                raise
        time.sleep(random.uniform(0, 0.002 * 2**attempt))
    raise AssertionError("unreachable")


def can_hop(db: Any) -> bool:
    """Whether `db` is an AsyncDatabase on aiosqlite whose internals this module knows."""
    return (
        getattr(db, "dialect", None) == "sqlite"
        and all(hasattr(db, name) for name in ("_acquire", "_release", "_invalidate", "_tx"))
        and getattr(getattr(db, "sqlalchemy_dialect", None), "driver", None) == "aiosqlite"
    )


async def run_hop(db: Any, make: Callable[[], Plan[T]], write: bool) -> T:
    """Carry out the plan on `db` (an AsyncDatabase that `can_hop`) in one worker-thread trip."""
    if db._tx.get() is not None:
        return await run_async(db, make, write)
    slot = await db._acquire()
    conn = slot.conn
    try:
        value = await conn._execute(_run, conn._conn, make, write, db.sqlalchemy_dialect)
    except BaseException:
        if conn._conn is not None and conn._conn.in_transaction:  # cancelled mid-plan: do not pool it
            await db._invalidate(slot)
        else:
            await db._release(slot)
        raise
    await db._release(slot)
    return value
