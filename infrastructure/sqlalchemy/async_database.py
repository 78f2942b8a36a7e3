"""`AsyncDatabase`: the asyncio twin of `Database`, on aiosqlite, asyncpg and asyncmy.

The same methods, awaitable; `stream` is an async iterator and `transaction()` an async context
manager. As in `Database`, the SQLAlchemy engine owns URL handling, the pool and per-dialect
session set-up, while statements go straight to the driver's own connection (`_Driver` below):
SQLAlchemy's asyncio layer runs every call through a greenlet, which would cost more than an
asyncpg round trip. Pool checkouts and returns do run through SQLAlchemy (in `greenlet_spawn`).

A transaction belongs to the task that opened it (it is kept in a context variable); tasks it
starts copy the context, so they must not run statements concurrently inside it.
"""

import collections
import contextvars
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import attrs
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import Settings, mask_url
from memcore.infrastructure.sqlalchemy.async_drivers import DRIVERS, Slot
from memcore.infrastructure.sqlalchemy.engine import _mysql_session, _sqlite_pragmas, engine_options, normalize_url
from memcore.infrastructure.sqlalchemy.errors import translate
from memcore.infrastructure.sqlalchemy.raw_sql import (
    STYLES,
    dialect_label,
    driver_error,
    engine_settings,
    prepare,
    table_exists_sql,
    transaction_sql,
)
from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_waiting_in_worker

# asyncmy rather than aiomysql: aiomysql 0.3 cannot bind bytes with PyMySQL 1.2 (it imports a
# helper PyMySQL replaced with a placeholder string).
_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "mysql": "asyncmy", "mariadb": "asyncmy"}


def async_url(raw: str | URL) -> URL:
    """The URL with the asyncio driver memcore ships for its dialect (any other driver is swapped)."""
    url = normalize_url(raw)
    backend = url.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise InvalidInput(f"no asyncio driver for {mask_url(url)}")
    return url.set(drivername=f"{'mysql' if backend == 'mariadb' else backend}+{_ASYNC_DRIVERS[backend]}")


def build_async_engine(settings: Settings) -> AsyncEngine:
    """The asyncio engine, set up like `build_engine`: pragmas, strict mode, utf8mb4, timeouts."""
    url = async_url(settings.url)
    backend = url.get_backend_name()
    kwargs, connect_args = engine_options(settings, backend, asyncio=True)
    try:
        engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise InvalidInput(f"cannot use database URL {mask_url(url)}: {exc}") from None
    sync_engine = engine.sync_engine
    if backend == "sqlite":
        event.listen(sync_engine, "connect", _sqlite_pragmas(settings))
    elif backend == "mysql":
        event.listen(sync_engine, "connect", _mysql_session(settings))
    event.listen(sync_engine, "connect", _driver_mode(url.get_driver_name()))
    return engine


def _driver_mode(driver: str) -> Any:
    """Autocommit (asyncpg always is; aiosqlite is once the pragmas ran); aiosqlite rows know their names."""

    def on_connect(adapted: Any, record: Any) -> None:
        if driver == "aiosqlite":
            adapted.driver_connection.row_factory = sqlite3.Row
        elif driver == "asyncmy":
            adapted.autocommit(True)

    return on_connect


_T = TypeVar("_T")


@attrs.define(slots=True, eq=False)
class _Tx:
    slot: Slot
    depth: int = 0
    broken: bool = False


class AsyncDatabase:
    """Raw SQL over a pooled asyncio engine; one event loop per instance."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        settings = engine_settings(url, engine_options)
        self.settings = settings
        self._engine = build_async_engine(settings)
        self._sa_dialect = dialect = self._engine.sync_engine.dialect
        self._lex = dialect.name
        self._style = STYLES[dialect.driver]
        self._driver = DRIVERS[dialect.driver](dialect)
        self._begin, self._commit, self._rollback = transaction_sql(self._lex, settings.isolation_level)
        pool = self._engine.sync_engine.pool
        self._idle: collections.deque[Slot] = collections.deque()
        self._keep = 0 if settings.pool_pre_ping else getattr(pool, "size", lambda: 5)()
        self._recycle = getattr(pool, "_recycle", -1)
        self._tx: contextvars.ContextVar[_Tx | None] = contextvars.ContextVar(f"memcore-adb-{id(self)}", default=None)
        self._closed = False

    def __repr__(self) -> str:
        return f"AsyncDatabase({self.masked_url!r})"

    @property
    def dialect(self) -> str:
        return dialect_label(self._sa_dialect)

    @property
    def masked_url(self) -> str:
        return self.settings.masked_url

    @property
    def sqlalchemy_dialect(self) -> Any:
        """SQLAlchemy's dialect of the driver: its column types code values as this database expects."""
        return self._sa_dialect

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- statements

    async def _on_slot(self, sql: str, work: Callable[[Slot], Awaitable[_T]]) -> _T:
        """Run `work` on the transaction's connection, or on a pooled one given back afterwards."""
        tx = self._tx.get()
        slot = tx.slot if tx is not None else await self._acquire()
        try:
            result = await work(slot)
        except BaseException as exc:
            raise await self._failed(exc, sql, slot, tx) from exc
        if tx is None:
            await self._release(slot)
        return result

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        query, args = prepare(sql, self._style, self._lex).bind(params)
        count = await self._on_slot(sql, lambda slot: self._driver.execute(slot, query, args))
        return count if count > 0 else 0

    async def execute_positional(self, sql: str, values: Sequence[Any]) -> int:
        """`execute` with the values in a list, one per `:name` in the order they are written."""
        query, args = prepare(sql, self._style, self._lex).bind_values(values)
        count = await self._on_slot(sql, lambda slot: self._driver.execute(slot, query, args))
        return count if count > 0 else 0

    async def execute_script_statement(self, sql: str) -> int:
        """Run one statement exactly as written, with no parameters (as the migration runner does)."""
        count = await self._on_slot(sql, lambda slot: self._driver.execute(slot, sql, None))
        return count if count > 0 else 0

    async def execute_many(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> int:
        statement = prepare(sql, self._style, self._lex)
        values = statement.bind_many(rows)
        if not values:
            return 0
        async with self.transaction():
            count = await self._on_slot(sql, lambda slot: self._driver.execute_many(slot, statement, values))
        return count if count > 0 else 0

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        query, args = prepare(sql, self._style, self._lex).bind(params)
        return await self._on_slot(sql, lambda slot: self._driver.fetch_all(slot, query, args))

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        query, args = prepare(sql, self._style, self._lex).bind(params)
        return await self._on_slot(sql, lambda slot: self._driver.fetch_one(slot, query, args))

    async def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else next(iter(row.values()))

    def stream(
        self, sql: str, params: Mapping[str, Any] | None = None, batch_size: int = 1000
    ) -> AsyncIterator[dict[str, Any]]:
        """Rows one at a time, fetched `batch_size` at a time through a server-side cursor.

        Use `contextlib.aclosing(db.stream(...))` when you may stop early, so the connection is
        given back at once.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {batch_size!r}")
        query, args = prepare(sql, self._style, self._lex).bind(params)
        return self._stream(sql, query, args, batch_size, self._tx.get())

    async def table_exists(self, name: str) -> bool:
        return await self.fetch_value(table_exists_sql(self._lex), {"name": name}) is not None

    # -- transactions

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Every call inside runs in one transaction; nested use makes a savepoint."""
        outer = self._tx.get()
        if outer is not None:
            async with self._savepoint(outer):
                yield
            return
        slot = await self._acquire()
        tx = _Tx(slot)
        await self._begin_on(tx)
        slot.in_tx = True
        token = self._tx.set(tx)
        try:
            yield
        except BaseException:
            self._tx.reset(token)
            await self._finish(tx, self._rollback)
            raise
        self._tx.reset(token)
        await self._finish(tx, self._commit)

    @asynccontextmanager
    async def _savepoint(self, tx: _Tx) -> AsyncIterator[None]:
        tx.depth += 1
        name = f"memcore_sp_{tx.depth}"
        try:
            await self._run(tx, f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if not tx.broken:
                    await self._run(tx, f"ROLLBACK TO SAVEPOINT {name}")
                    await self._run(tx, f"RELEASE SAVEPOINT {name}")
                raise
            await self._run(tx, f"RELEASE SAVEPOINT {name}")
        finally:
            tx.depth -= 1

    async def _begin_on(self, tx: _Tx) -> None:
        if self._sa_dialect.driver != "aiosqlite":
            await self._run(tx, self._begin)
            return
        # A BEGIN IMMEDIATE that timed out on the lock wrote nothing: begin again (sqlite_lock.py),
        # waiting in aiosqlite's worker thread, so the event loop is never held up.
        try:
            await begin_waiting_in_worker(tx.slot.conn, self._begin)
        except BaseException as exc:
            raise await self._failed(exc, self._begin, tx.slot, tx) from exc

    async def _run(self, tx: _Tx, sql: str) -> None:
        if tx.broken:
            raise driver_error(ConnectionError("connection lost"), sql, self._sa_dialect, invalidated=True)
        try:
            await self._driver.run(tx.slot, sql)
        except BaseException as exc:
            raise await self._failed(exc, sql, tx.slot, tx) from exc

    async def _finish(self, tx: _Tx, sql: str) -> None:
        if tx.broken:
            if sql == self._commit:
                raise driver_error(ConnectionError("connection lost"), sql, self._sa_dialect, invalidated=True)
            return
        try:
            await self._driver.run(tx.slot, sql)
        except BaseException as exc:
            error = await self._failed(exc, sql, tx.slot, None)
            if sql == self._commit:
                raise error from exc
            return
        tx.slot.in_tx = False
        await self._release(tx.slot)

    # -- streaming

    async def _stream(
        self, sql: str, query: str, args: tuple | None, batch_size: int, tx: _Tx | None
    ) -> AsyncIterator[dict[str, Any]]:
        slot = tx.slot if tx is not None else await self._acquire()
        try:
            if tx is None and self._driver.stream_needs_transaction:
                await self._driver.run(slot, self._begin)
                slot.in_tx = True
            async for row in self._driver.stream(slot, query, args, batch_size):
                yield row
        except GeneratorExit:
            raise
        except BaseException as exc:
            raise await self._failed(exc, sql, slot, tx, release=False) from exc
        finally:
            if tx is None and slot.fairy is not None:
                if slot.in_tx:
                    try:
                        await self._driver.run(slot, self._rollback)
                        slot.in_tx = False
                    except Exception:
                        await self._invalidate(slot)
                await self._release(slot)

    # -- connections

    async def _acquire(self) -> Slot:
        if self._closed:
            raise InvalidInput(f"{self!r} is closed")
        idle = self._idle
        while idle:
            slot = idle.pop()
            if self._recycle < 0 or time.monotonic() - slot.since < self._recycle:
                return slot
            await self._give_back(slot)
        try:
            fairy = await greenlet_spawn(self._engine.sync_engine.raw_connection)
        except Exception as exc:
            raise translate(exc) from exc
        conn = fairy.driver_connection
        return Slot(fairy, conn, await self._driver.new_cursor(conn), time.monotonic())

    async def _release(self, slot: Slot) -> None:
        if slot.fairy is None:
            return
        if len(self._idle) < self._keep and not self._closed:
            self._idle.append(slot)
        else:
            await self._give_back(slot)

    async def _give_back(self, slot: Slot) -> None:
        fairy, slot.fairy = slot.fairy, None
        if fairy is not None:
            await self._driver.close_cursor(slot)
            await greenlet_spawn(fairy.close)

    async def _invalidate(self, slot: Slot) -> None:
        fairy, slot.fairy = slot.fairy, None
        if fairy is not None:
            await greenlet_spawn(fairy.invalidate)

    async def _failed(
        self, exc: BaseException, sql: str, slot: Slot, tx: _Tx | None, release: bool = True
    ) -> BaseException:
        gone = not isinstance(exc, Exception) or self._driver.is_gone(exc, slot)
        if gone:
            await self._invalidate(slot)
            if tx is not None:
                tx.broken = True
        elif tx is None:
            try:
                if slot.in_tx:
                    await self._driver.run(slot, self._rollback)
                    slot.in_tx = False
                if release:
                    await self._release(slot)
            except Exception:
                await self._invalidate(slot)
        if not isinstance(exc, Exception):
            return exc
        return driver_error(exc, sql, self._sa_dialect, invalidated=gone)

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            await self._give_back(self._idle.pop())
        await self._engine.dispose()

    async def migrate(self, directory: str | Path, dry_run: bool = False) -> Any:
        """Apply the pending `V<n>__<name>.sql` files of `directory` in order (see sql_migrations)."""
        from memcore.infrastructure.sqlalchemy.sql_migrations import migrate_async

        return await migrate_async(self, directory, dry_run=dry_run)
