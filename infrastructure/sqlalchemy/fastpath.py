"""The lean route for hot paths: pre-rendered SQL on the DB-API, values coded by the column types.

`RowCodec` applies each column's own bind and result processing (the same TypeDecorators the ORM
uses), so rows written or read here are identical to those of the ORM path. `FastReader` keeps one
autocommit DB-API connection per thread for point reads, where SQLAlchemy's per-call set-up would
cost more than the query itself.
"""

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Engine, Float, Table
from sqlalchemy.engine import Dialect

from memcore.infrastructure.sqlalchemy.engine import invalidate_pool
from memcore.infrastructure.sqlalchemy.errors import translate_driver, translating

Processor = Callable[[Any], Any] | None


class RowCodec:
    """Bind and result processors of some columns of a table, for one dialect, built once."""

    def __init__(self, table: Table, names: Sequence[str], dialect: Dialect) -> None:
        self.dialect = dialect
        self.columns: list[Column[Any]] = [table.c[name] for name in names]
        impls = [column.type.dialect_impl(dialect) for column in self.columns]
        self._bind = [(i, p) for i, impl in enumerate(impls) if (p := impl.bind_processor(dialect))]
        self._result = [(i, p) for i, impl in enumerate(impls) if (p := _result_processor(impl, dialect))]
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        self.table_name = quote(table.name)
        self.column_list = ", ".join(quote(c.name) for c in self.columns)
        self.marker = mark
        marks = ", ".join([mark] * len(names))
        self.insert_sql = f"INSERT INTO {self.table_name} ({self.column_list}) VALUES ({marks})"

    def encode(self, values: Sequence[Any]) -> tuple[Any, ...]:
        out = list(values)
        for index, process in self._bind:  # bind processors take None as well (as for the ORM)
            out[index] = process(out[index])
        return tuple(out)

    def decode(self, row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for index, process in self._result:
            if values[index] is not None:
                values[index] = process(values[index])
        return values


def _result_processor(impl: Any, dialect: Dialect) -> Processor:
    # Every driver returns a DOUBLE as a float already; psycopg's processor would need the column's
    # type code, which only a cursor description gives, to say so.
    if isinstance(impl, Float) and not impl.asdecimal:
        return None
    return impl.result_processor(dialect, None)


class FastReader:
    """Point reads on one autocommit DB-API connection per thread (each read sees committed data)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Any] = []  # every thread's connection, for close_all()
        self._generation = 0  # bumped by close_all(): other threads' cursors are then stale

    def _cursor(self) -> Any:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None or self._local.generation != self._generation:
            pooled = self.engine.raw_connection()
            driver = pooled.driver_connection
            if self.engine.dialect.name == "postgresql":
                driver.autocommit = True
            elif self.engine.dialect.name in ("mysql", "mariadb"):
                driver.autocommit(True)
            with self._lock:
                self._opened.append(pooled)
                self._local.generation = self._generation
            self._local.pooled, self._local.cursor = pooled, pooled.cursor()
            cursor = self._local.cursor
        return cursor

    def first(self, sql: str, params: Any) -> Sequence[Any] | None:
        return self._run(sql, params, lambda cursor: cursor.fetchone())

    def connection(self) -> Any:
        """This thread's pooled connection (None before its first read): a new one after a reconnect."""
        return getattr(self._local, "pooled", None)

    def all(self, sql: str, params: Any) -> list[Sequence[Any]]:
        return self._run(sql, params, lambda cursor: cursor.fetchall())

    def _run(self, sql: str, params: Any, fetch: Callable[[Any], Any]) -> Any:
        # A read is idempotent: when the connection turns out broken (a server restart), it is
        # dropped with the pool's older connections and the read runs once more on a fresh one.
        for attempt in (1, 2):
            cursor = None
            try:
                with translating():  # taking a pooled connection can fail in SQLAlchemy
                    cursor = self._cursor()
                cursor.execute(sql, params)
                return fetch(cursor)
            except self.engine.dialect.loaded_dbapi.Error as exc:
                gone = self.engine.dialect.is_disconnect(exc, getattr(cursor, "connection", None), cursor)
                self.close(exc if gone else None)  # the next read opens a fresh connection
                if not (gone and attempt == 1):
                    raise translate_driver(exc, self.engine.dialect, sql, gone) from exc
        raise AssertionError("unreachable")

    def close(self, broken: BaseException | None = None) -> None:
        """Drop this thread's connection; `broken`: the error that showed it gone (the pool's older
        connections are renewed too, see engine.invalidate_pool)."""
        pooled = getattr(self._local, "pooled", None)
        self._local.pooled = self._local.cursor = None
        if pooled is not None:
            with self._lock:
                if pooled in self._opened:
                    self._opened.remove(pooled)
            if broken is not None:
                invalidate_pool(self.engine, pooled, broken)
            else:
                _invalidate(pooled)

    def close_all(self) -> None:
        """Drop every thread's connection (the engine is being disposed): they are checked out, so
        `Engine.dispose()` alone would leave them open."""
        with self._lock:
            opened, self._opened = self._opened, []
            self._generation += 1
        self._local.pooled = self._local.cursor = None
        for pooled in opened:
            _invalidate(pooled)


def _invalidate(pooled: Any) -> None:
    with contextlib.suppress(Exception):  # a broken connection must not hide the original error
        pooled.invalidate()


class PlannedReads:
    """Core SELECTs rendered once per statement object and run on a FastReader.

    Meant for statements cached per query shape (SpecCompiler.select), run again with new values:
    SQLAlchemy's per-call compile and cache lookup, and a pooled connection's BEGIN/ROLLBACK, would
    cost more than the query. Statements with expanding IN lists, which SQLAlchemy renders per call,
    run through a pooled connection instead.
    """

    MAX_PLANS = 1024

    def __init__(self, engine: Engine, reader: FastReader) -> None:
        self.engine, self.reader = engine, reader
        self._plans: dict[int, tuple[Any, ...]] = {}

    def all(self, statement: Any, params: Mapping[str, Any], decode: Callable[[Any], Any]) -> list[Any]:
        """The rows of `statement` with `params`, each passed through `decode` when read raw."""
        plan = self._plans.get(id(statement))
        if plan is None or plan[0] is not statement:
            if len(self._plans) >= self.MAX_PLANS:
                self._plans.clear()
            plan = self._plans[id(statement)] = (statement, *self._plan(statement))
        _, compiled, names, processors = plan
        if compiled is None:
            with translating(), self.engine.connect() as connection:
                return list(connection.execute(statement, params))
        values = compiled.construct_params(params)
        args: Any = [values[name] for name in names]
        for i, process in processors:
            if args[i] is not None:
                args[i] = process(args[i])
        if not self.engine.dialect.positional:
            args = dict(zip(names, args, strict=True))
        return [decode(row) for row in self.reader.all(compiled.string, args)]

    def _plan(self, statement: Any) -> tuple[Any, list[str], list[tuple[int, Any]]]:
        """The statement rendered for this dialect, its parameter names and bind processors."""
        dialect = self.engine.dialect
        compiled = statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:  # expanding IN lists
            return None, [], []
        by_name = {compiled.bind_names[b]: b for b in compiled.binds.values()}
        names = list(compiled.positiontup) if compiled.positional else list(by_name)
        processors = []
        for i, name in enumerate(names):
            process = by_name[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((i, process))
        return compiled, names, processors
