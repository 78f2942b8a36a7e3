"""`Database`: raw SQL with named parameters, the same on SQLite, PostgreSQL and MySQL/MariaDB.

    db = Database("postgresql://app@db/app", pool_size=10)
    db.execute("INSERT INTO users (id, name) VALUES (:id, :name)", {"id": 1, "name": "Ann"})
    with db.transaction():            # every call inside runs in this one transaction
        db.fetch_all("SELECT * FROM users WHERE id IN (:ids)", {"ids": [1, 2]})

Built on a SQLAlchemy engine (URL handling, the pool and its sizing, per-dialect session set-up,
error wrapping), but statements go straight to the pooled DB-API connection: SQLAlchemy's
`Connection` costs ~50 µs a call, which is 15 times a primary-key read on SQLite. Connections run
in the driver's autocommit mode, so a lone statement is its own transaction without a BEGIN/COMMIT
round trip; `transaction()` and `execute_many` begin one explicitly. Between calls a few
connections are kept checked out (`_idle`) so a call costs no pool checkout; with `pool_pre_ping`
on, every call goes through the pool and is pinged instead.

`AsyncDatabase` (async_database.py) is the asyncio twin with the same methods.
"""

import collections
import contextlib
import contextvars
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import attrs
from sqlalchemy import event

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.raw_sql import (
    STYLES,
    dialect_label,
    driver_error,
    engine_settings,
    prepare,
    table_exists_sql,
    transaction_sql,
)
from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_waiting

__all__ = ["AsyncDatabase", "Database"]

_SYNC_DRIVERS = {"asyncpg": "psycopg", "aiosqlite": "pysqlite", "aiomysql": "pymysql", "asyncmy": "pymysql"}
_stream_names = itertools.count(1)


_T = TypeVar("_T")


@attrs.define(slots=True, eq=False)
class _Slot:
    """A pooled connection held between calls, with a cursor kept for reuse."""

    fairy: Any
    conn: Any
    cursor: Any
    since: float
    in_tx: bool = False


@attrs.define(slots=True, eq=False)
class _Tx:
    slot: _Slot
    depth: int = 0
    broken: bool = False


def _autocommit(driver: str) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        if driver == "psycopg":
            dbapi_connection.autocommit = True
        elif driver == "pymysql":
            dbapi_connection.autocommit(True)
        # pysqlite: build_engine already turned the driver's own transaction handling off.

    return on_connect


class Database:
    """Raw SQL over a pooled engine; see the module docstring."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        settings = engine_settings(_sync_url(url), engine_options)
        self.settings = settings
        self._engine = build_engine(attrs.evolve(settings, lazy_connect=True))
        dialect = self._engine.dialect
        event.listen(self._engine, "connect", _autocommit(dialect.driver))
        self._sa_dialect = dialect
        self._lex = dialect.name  # how to read the SQL: "mysql" covers MariaDB too
        self._style = STYLES[dialect.driver]
        self._begin, self._commit, self._rollback = transaction_sql(self._lex, settings.isolation_level)
        self._idle: collections.deque[_Slot] = collections.deque()
        size = getattr(self._engine.pool, "size", 5)  # a method on QueuePool, an int on SingletonThreadPool
        self._keep = 0 if settings.pool_pre_ping else (size() if callable(size) else size)
        self._recycle = getattr(self._engine.pool, "_recycle", -1)
        self._tx: contextvars.ContextVar[_Tx | None] = contextvars.ContextVar(f"memcore-db-{id(self)}", default=None)
        self._closed = False
        if not settings.lazy_connect:
            self._release(self._acquire())

    def __repr__(self) -> str:
        return f"Database({self.masked_url!r})"

    @property
    def dialect(self) -> str:
        """sqlite, postgresql, mysql or mariadb (known for sure once connected)."""
        return dialect_label(self._sa_dialect)

    @property
    def masked_url(self) -> str:
        return self.settings.masked_url

    @property
    def sqlalchemy_dialect(self) -> Any:
        """SQLAlchemy's dialect of the driver: its column types code values as this database expects."""
        return self._sa_dialect

    @property
    def engine(self) -> Any:
        """The engine under the pool, for a lean reader sharing it (fastpath.FastReader)."""
        return self._engine

    @property
    def paramstyle(self) -> tuple[str, str]:
        """The driver's placeholder style and the SQL lexer's dialect, as `raw_sql.prepare` takes them."""
        return self._style, self._lex

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- statements

    def _on_slot(self, sql: str, work: Callable[[_Slot], _T]) -> _T:
        """Run `work` on the transaction's connection, or on a pooled one given back afterwards."""
        tx = self._tx.get()
        slot = tx.slot if tx is not None else self._acquire()
        try:
            result = work(slot)
        except BaseException as exc:
            raise self._failed(exc, sql, slot, tx) from exc
        if tx is None:
            self._release(slot)
        return result

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run one statement; the number of rows it affected (0 when the driver reports none)."""
        return self._affected(sql, *prepare(sql, self._style, self._lex).bind(params))

    def execute_positional(self, sql: str, values: Sequence[Any]) -> int:
        """`execute` with the values in a list, one per `:name` in the order they are written (each
        name once, no `IN (:name)` lists): no mapping to build, for statements of thousands of values."""
        return self._affected(sql, *prepare(sql, self._style, self._lex).bind_values(values))

    def _affected(self, sql: str, query: str, args: Any) -> int:
        """Run one bound statement; the rows it affected (0 when the driver reports none)."""

        def work(slot: _Slot) -> int:
            _run(slot.cursor, query, args)
            return slot.cursor.rowcount

        count = self._on_slot(sql, work)
        return count if count > 0 else 0

    def execute_script_statement(self, sql: str) -> int:
        """Run one statement exactly as written, with no parameters (as the migration runner does)."""

        def work(slot: _Slot) -> int:
            slot.cursor.execute(sql)
            return slot.cursor.rowcount

        count = self._on_slot(sql, work)
        return count if count > 0 else 0

    def execute_many(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Run one statement for each row of parameters, all or nothing; the rows affected in total."""
        statement = prepare(sql, self._style, self._lex)
        values = statement.bind_many(rows)
        if not values:
            return 0

        def work(slot: _Slot) -> int:
            slot.cursor.executemany(statement.query, values)
            return slot.cursor.rowcount

        with self.transaction():
            count = self._on_slot(sql, work)
        return count if count > 0 else 0

    def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every row, as dicts keyed by column name."""
        query, args = prepare(sql, self._style, self._lex).bind(params)

        def work(slot: _Slot) -> tuple[Any, Any]:
            _run(slot.cursor, query, args)
            description = slot.cursor.description
            return description, slot.cursor.fetchall() if description is not None else ()

        description, rows = self._on_slot(sql, work)
        if not rows:
            return []
        # map() builds the dicts a third faster than a comprehension over zip(..., strict=True).
        return list(map(dict, map(zip, itertools.repeat([column[0] for column in description]), rows)))

    def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row as a dict, or None."""
        query, args = prepare(sql, self._style, self._lex).bind(params)

        def work(slot: _Slot) -> tuple[Any, Any]:
            _run(slot.cursor, query, args)
            description = slot.cursor.description
            return description, slot.cursor.fetchone() if description is not None else None

        description, row = self._on_slot(sql, work)
        if row is None:
            return None
        return dict(zip([column[0] for column in description], row, strict=False))

    def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.fetch_one(sql, params)
        return None if row is None else next(iter(row.values()))

    def stream(
        self, sql: str, params: Mapping[str, Any] | None = None, batch_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Rows one at a time, fetched `batch_size` at a time through a server-side cursor.

        Close the iterator (or run it to the end) to give the connection back. On MySQL, run no
        other statement in the same transaction while a stream is open.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {batch_size!r}")
        query, args = prepare(sql, self._style, self._lex).bind(params)
        return self._stream(sql, query, args, batch_size, self._tx.get())

    def table_exists(self, name: str) -> bool:
        """Whether a table (or view) of that name exists in the current database or schema."""
        return self.fetch_value(table_exists_sql(self._lex), {"name": name}) is not None

    # -- transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every call inside runs in one transaction: committed on success, rolled back on error.

        Nested use makes a savepoint, rolled back alone when its block fails.
        """
        outer = self._tx.get()
        if outer is not None:
            yield from self._savepoint(outer)
            return
        slot = self._acquire()
        tx = _Tx(slot)
        if self._lex == "sqlite":  # a locked BEGIN IMMEDIATE wrote nothing: begin again (sqlite_lock.py)
            try:
                begin_waiting(lambda: slot.cursor.execute(self._begin), slot.conn)
            except BaseException as exc:
                raise self._failed(exc, self._begin, slot, tx) from exc
        else:
            self._run(tx, self._begin)
        slot.in_tx = True
        token = self._tx.set(tx)
        try:
            yield
        except BaseException:
            self._tx.reset(token)
            self._finish(tx, self._rollback)
            raise
        self._tx.reset(token)
        self._finish(tx, self._commit)

    def _savepoint(self, tx: _Tx) -> Iterator[None]:
        tx.depth += 1
        name = f"memcore_sp_{tx.depth}"
        self._run(tx, f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if not tx.broken:
                self._run(tx, f"ROLLBACK TO SAVEPOINT {name}")
                self._run(tx, f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self._run(tx, f"RELEASE SAVEPOINT {name}")
        finally:
            tx.depth -= 1

    def _run(self, tx: _Tx, sql: str) -> None:
        if tx.broken:
            raise driver_error(ConnectionError("connection lost"), sql, self._sa_dialect, invalidated=True)
        try:
            tx.slot.cursor.execute(sql)
        except BaseException as exc:
            raise self._failed(exc, sql, tx.slot, tx) from exc

    def _finish(self, tx: _Tx, sql: str) -> None:
        """COMMIT or ROLLBACK, then give the connection back (or drop it when it broke)."""
        if tx.broken:
            if sql == self._commit:
                raise driver_error(ConnectionError("connection lost"), sql, self._sa_dialect, invalidated=True)
            return
        try:
            tx.slot.cursor.execute(sql)
        except BaseException as exc:
            error = self._failed(exc, sql, tx.slot, None)
            if sql == self._commit:
                raise error from exc
            return
        tx.slot.in_tx = False
        self._release(tx.slot)

    # -- streaming

    def _stream(
        self, sql: str, query: str, args: tuple | None, batch_size: int, tx: _Tx | None
    ) -> Iterator[dict[str, Any]]:
        slot = tx.slot if tx is not None else self._acquire()
        cursor = None
        try:
            if self._lex == "postgresql":
                if tx is None:
                    slot.cursor.execute(self._begin)
                    slot.in_tx = True
                cursor = slot.conn.cursor(name=f"memcore_stream_{next(_stream_names)}")
                cursor.itersize = batch_size
            elif self._lex == "mysql":
                cursor = slot.conn.cursor(self._sa_dialect.loaded_dbapi.cursors.SSCursor)
            else:
                cursor = slot.conn.cursor()
            cursor.execute(query, args) if args is not None else cursor.execute(query)
            if cursor.description is None:
                return
            names = [column[0] for column in cursor.description]
            while batch := cursor.fetchmany(batch_size):
                yield from map(dict, map(zip, itertools.repeat(names), batch))
        except GeneratorExit:
            raise
        except BaseException as exc:
            if cursor is not None:
                self._close_cursor(cursor)
                cursor = None
            raise self._failed(exc, sql, slot, tx, release=False) from exc
        finally:
            if cursor is not None:
                self._close_cursor(cursor)
            if tx is None and slot.fairy is not None:
                if slot.in_tx:  # a read-only transaction of our own: nothing to keep
                    try:
                        slot.cursor.execute(self._rollback)
                        slot.in_tx = False
                    except Exception:
                        self._invalidate(slot)
                self._release(slot)

    @staticmethod
    def _close_cursor(cursor: Any) -> None:
        with contextlib.suppress(Exception):  # the connection is gone; whatever runs next on it says so
            cursor.close()

    # -- connections

    def _acquire(self) -> _Slot:
        if self._closed:
            raise InvalidInput(f"{self!r} is closed")
        idle = self._idle
        while idle:
            try:
                slot = idle.pop()
            except IndexError:  # another thread took the last one
                break
            if self._recycle < 0 or time.monotonic() - slot.since < self._recycle:
                return slot
            self._give_back(slot)
        with translating():
            fairy = self._engine.raw_connection()
        conn = fairy.driver_connection
        return _Slot(fairy, conn, conn.cursor(), time.monotonic())

    def _release(self, slot: _Slot) -> None:
        if slot.fairy is None:
            return
        if len(self._idle) < self._keep and not self._closed:
            self._idle.append(slot)
        else:
            self._give_back(slot)

    def _give_back(self, slot: _Slot) -> None:
        self._close_cursor(slot.cursor)
        fairy, slot.fairy = slot.fairy, None
        if fairy is not None:
            fairy.close()

    def _invalidate(self, slot: _Slot) -> None:
        fairy, slot.fairy = slot.fairy, None
        if fairy is not None:
            fairy.invalidate()

    def _failed(self, exc: BaseException, sql: str, slot: _Slot, tx: _Tx | None, release: bool = True) -> Exception:
        """The domain error for `exc`; the connection is dropped if it broke, else made clean."""
        dbapi = self._sa_dialect.loaded_dbapi
        gone = not isinstance(exc, Exception) or (
            isinstance(exc, dbapi.Error) and self._sa_dialect.is_disconnect(exc, slot.conn, slot.cursor)
        )
        if gone:
            self._invalidate(slot)
            if tx is not None:
                tx.broken = True
        elif tx is None:
            try:
                if slot.in_tx:
                    slot.cursor.execute(self._rollback)
                    slot.in_tx = False
                if release:
                    self._release(slot)
            except Exception:
                self._invalidate(slot)
        error = driver_error(exc, sql, self._sa_dialect, invalidated=gone)
        return error if isinstance(exc, Exception) else exc  # type: ignore[return-value]

    def close(self) -> None:
        """Close every connection; the Database cannot be used afterwards."""
        self._closed = True
        while self._idle:
            self._give_back(self._idle.pop())
        self._engine.dispose()

    # -- SQL-file migrations

    def migrate(self, directory: str | Path, dry_run: bool = False) -> Any:
        """Apply the pending `V<n>__<name>.sql` files of `directory` in order (see sql_migrations)."""
        from memcore.infrastructure.sqlalchemy.sql_migrations import migrate

        return migrate(self, directory, dry_run=dry_run)


def _sync_url(url: str) -> str:
    """An asyncio driver in the URL is swapped for its synchronous sibling."""
    if isinstance(url, str) and "+" in url.split("://", 1)[0]:
        scheme, rest = url.split("://", 1)
        backend, driver = scheme.split("+", 1)
        if driver in _SYNC_DRIVERS:
            return f"{backend}+{_SYNC_DRIVERS[driver]}://{rest}"
    return url


def _run(cursor: Any, query: str, args: Any) -> None:
    if args is not None:
        cursor.execute(query, args)
    else:
        cursor.execute(query)
