"""How `AsyncDatabase` talks to each asyncio driver's own connection: asyncpg, aiosqlite, asyncmy.

Every driver gets the same small interface, so the database class has one code path. Each method
does what a careful hand-written call on that driver would do, and nothing more.
"""

import contextlib
from collections.abc import AsyncIterator
from itertools import repeat
from typing import Any

import attrs

from memcore.infrastructure.sqlalchemy.raw_sql import Statement, rows_affected


@attrs.define(slots=True, eq=False)
class Slot:
    """A pooled connection held between calls (the pool's proxy, the driver's connection, a cursor)."""

    fairy: Any
    conn: Any
    cursor: Any
    since: float
    in_tx: bool = False


class _Asyncpg:
    stream_needs_transaction = True  # asyncpg cursors live inside a transaction

    def __init__(self, dialect: Any) -> None:
        import asyncpg

        self._gone = (asyncpg.ConnectionDoesNotExistError, asyncpg.exceptions.AdminShutdownError, OSError)

    async def new_cursor(self, conn: Any) -> None:
        return None

    async def close_cursor(self, slot: Slot) -> None:
        return None

    async def run(self, slot: Slot, sql: str) -> None:
        await slot.conn.execute(sql)

    async def execute(self, slot: Slot, query: str, args: tuple | None) -> int:
        return rows_affected(await slot.conn.execute(query, *args) if args else await slot.conn.execute(query))

    async def execute_many(self, slot: Slot, statement: Statement, values: list[tuple]) -> int:
        conn = slot.conn
        if statement.one_row_each:  # asyncpg's executemany discards the counts; each row inserts one
            await conn.executemany(statement.query, values)
            return len(values)
        prepared = await conn.prepare(statement.query)
        total = 0
        for args in values:
            await prepared.fetch(*args)
            total += rows_affected(prepared.get_statusmsg())
        return total

    async def fetch_all(self, slot: Slot, query: str, args: tuple | None) -> list[dict[str, Any]]:
        return [dict(record.items()) for record in await slot.conn.fetch(query, *(args or ()))]

    async def fetch_one(self, slot: Slot, query: str, args: tuple | None) -> dict[str, Any] | None:
        record = await slot.conn.fetchrow(query, *(args or ()))
        return None if record is None else dict(record.items())

    async def stream(self, slot: Slot, query: str, args: tuple | None, batch: int) -> AsyncIterator[dict[str, Any]]:
        async for record in slot.conn.cursor(query, *(args or ()), prefetch=batch):
            yield dict(record.items())

    def is_gone(self, exc: BaseException, slot: Slot) -> bool:
        return isinstance(exc, self._gone) or slot.conn.is_closed()


def _names_and_rows(connection: Any, query: str, args: tuple) -> tuple[list[str], list[tuple]]:
    """Runs in aiosqlite's worker thread, on its sqlite3 connection."""
    cursor = connection.execute(query, args)
    try:
        cursor.row_factory = None
        rows = cursor.fetchall()
        return [column[0] for column in cursor.description or ()], rows
    finally:
        cursor.close()


class _Aiosqlite:
    stream_needs_transaction = False

    def __init__(self, dialect: Any) -> None:
        pass

    async def new_cursor(self, conn: Any) -> None:
        return None

    async def close_cursor(self, slot: Slot) -> None:
        return None

    async def run(self, slot: Slot, sql: str) -> None:
        cursor = await slot.conn.execute(sql)
        await cursor.close()

    async def execute(self, slot: Slot, query: str, args: tuple | None) -> int:
        cursor = await slot.conn.execute(query, args or ())
        count = cursor.rowcount
        await cursor.close()
        return count

    async def execute_many(self, slot: Slot, statement: Statement, values: list[tuple]) -> int:
        cursor = await slot.conn.executemany(statement.query, values)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def fetch_all(self, slot: Slot, query: str, args: tuple | None) -> list[dict[str, Any]]:
        conn = slot.conn
        if hasattr(conn, "_execute") and hasattr(conn, "_conn"):
            # One trip to aiosqlite's worker thread that also returns the column names, with plain
            # tuples instead of sqlite3.Row: what execute_fetchall costs, names included.
            names, rows = await conn._execute(_names_and_rows, conn._conn, query, args or ())
        else:
            rows = await conn.execute_fetchall(query, args or ())
            names = rows[0].keys() if rows else []  # the connection's rows are sqlite3.Row
        return list(map(dict, map(zip, repeat(names), rows)))

    async def fetch_one(self, slot: Slot, query: str, args: tuple | None) -> dict[str, Any] | None:
        cursor = await slot.conn.execute(query, args or ())
        try:
            row = await cursor.fetchone()
        finally:
            await cursor.close()
        return None if row is None else dict(zip(row.keys(), row, strict=False))

    async def stream(self, slot: Slot, query: str, args: tuple | None, batch: int) -> AsyncIterator[dict[str, Any]]:
        cursor = await slot.conn.execute(query, args or ())
        try:
            while rows := await cursor.fetchmany(batch):
                for row in map(dict, map(zip, repeat(rows[0].keys()), rows)):
                    yield row
        finally:
            await cursor.close()

    def is_gone(self, exc: BaseException, slot: Slot) -> bool:
        return False  # a file does not hang up


class _Asyncmy:
    stream_needs_transaction = False

    def __init__(self, dialect: Any) -> None:
        from asyncmy.cursors import SSCursor

        self._dialect = dialect
        self._ss_cursor_class = SSCursor

    async def new_cursor(self, conn: Any) -> Any:
        return conn.cursor()

    async def close_cursor(self, slot: Slot) -> None:
        with contextlib.suppress(Exception):  # the connection is gone; nothing to tidy
            await slot.cursor.close()

    async def run(self, slot: Slot, sql: str) -> None:
        await slot.cursor.execute(sql)

    async def execute(self, slot: Slot, query: str, args: tuple | None) -> int:
        cursor = slot.cursor
        await cursor.execute(query, args)
        return cursor.rowcount

    async def execute_many(self, slot: Slot, statement: Statement, values: list[tuple]) -> int:
        cursor = slot.cursor
        await cursor.executemany(statement.query, values)
        return cursor.rowcount

    async def fetch_all(self, slot: Slot, query: str, args: tuple | None) -> list[dict[str, Any]]:
        cursor = slot.cursor
        await cursor.execute(query, args)
        if cursor.description is None:
            return []
        names = [column[0] for column in cursor.description]
        return list(map(dict, map(zip, repeat(names), await cursor.fetchall())))

    async def fetch_one(self, slot: Slot, query: str, args: tuple | None) -> dict[str, Any] | None:
        cursor = slot.cursor
        await cursor.execute(query, args)
        description = cursor.description
        row = await cursor.fetchone() if description is not None else None
        return None if row is None else dict(zip([column[0] for column in description], row, strict=False))

    async def stream(self, slot: Slot, query: str, args: tuple | None, batch: int) -> AsyncIterator[dict[str, Any]]:
        cursor = slot.conn.cursor(self._ss_cursor_class)
        try:
            await cursor.execute(query, args)
            if cursor.description is None:
                return
            names = [column[0] for column in cursor.description]
            while rows := await cursor.fetchmany(batch):
                for row in map(dict, map(zip, repeat(names), rows)):
                    yield row
        finally:
            await cursor.close()

    def is_gone(self, exc: BaseException, slot: Slot) -> bool:
        return isinstance(exc, OSError) or self._dialect.is_disconnect(exc, None, None)


DRIVERS = {"asyncpg": _Asyncpg, "aiosqlite": _Aiosqlite, "asyncmy": _Asyncmy}
