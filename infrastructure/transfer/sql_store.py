"""memcore's tables on one SQL database, as the transfer use cases read and write them.

`SqlStoreReader` holds one consistent snapshot while it is open (SQLite: one read transaction;
PostgreSQL: REPEATABLE READ, read only; MariaDB: a consistent-snapshot transaction) and streams
each table in key order through a server-side cursor. `SqlStoreWriter` migrates the destination
and writes everything in one transaction with the driver's `executemany`; the full-text objects
of SQLite and PostgreSQL are dropped before a table is loaded and built once at the end, in the
same transaction. MariaDB commits DDL as it runs, so there the session sets `search.BULK_LOAD`
instead: the triggers skip their per-row upserts, and every side table is written once at the end.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, func, select, text

from memcore.application.transfer.ports import Row
from memcore.domain.memory.text import strings_in
from memcore.domain.shared.errors import AlreadyExists
from memcore.infrastructure.sqlalchemy import migrate, search
from memcore.infrastructure.sqlalchemy.errors import translate_driver, translating
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import metadata
from memcore.infrastructure.transfer import tables
from memcore.infrastructure.transfer.codec import CanonicalDigester


def _masked(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class SqlStoreReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.masked_url = _masked(engine)
        self._connection: Connection | None = None

    def __enter__(self) -> "SqlStoreReader":
        with translating():
            connection = self.engine.connect()
            family = connection.dialect.name
            if family == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                connection.begin()
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            elif family in ("mysql", "mariadb"):
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                connection.begin()
                connection.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            else:
                connection.begin()  # WAL: the first read fixes the snapshot for the whole transaction
            self._connection = connection
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._connection is not None:
            self._connection.close()  # rolls the read transaction back
            self._connection = None

    @property
    def connection(self) -> Connection:
        assert self._connection is not None, "use the reader inside `with reader:`"
        return self._connection

    def revision(self) -> str | None:
        with translating():
            return MigrationContext.configure(self.connection).get_current_revision()

    def tables(self, contexts: Sequence[str] | None = None) -> list[str]:
        return tables.table_names(contexts)

    def columns(self, table: str) -> list[str]:
        return [column.name for column in metadata.tables[table].c]

    def count(self, table: str) -> int:
        with translating():
            return self.connection.execute(select(func.count()).select_from(tables.wire_table(table))).scalar_one()

    def rows(self, table: str, batch_size: int) -> Iterator[Row]:
        wire = tables.wire_table(table)
        query = select(*wire.c).order_by(*wire.primary_key.columns)
        with translating():
            result = self.connection.execution_options(yield_per=batch_size).execute(query)
            for row in result:
                yield tuple(row)

    def digester(self, table: str) -> CanonicalDigester:
        return CanonicalDigester(table)

    def key(self, table: str, row: Row) -> dict[str, Any]:
        names = self.columns(table)
        return {names[i]: row[i] for i in tables.key_positions(table)}


class SqlStoreWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.masked_url = _masked(engine)
        self._connection: Connection | None = None

    def tables(self, contexts: Sequence[str] | None = None) -> list[str]:
        return tables.table_names(contexts)

    @contextmanager
    def open(self, names: Sequence[str], replace: bool) -> Iterator[None]:
        migrate.upgrade(self.engine)
        with translating(), self.engine.connect() as connection, connection.begin():
            self._refuse_or_empty(connection, names, replace)
            dropped = self._drop_search(connection, names)
            self._connection = connection
            try:
                yield
            finally:
                self._connection = None
            self._finish(connection, names, dropped)

    def _refuse_or_empty(self, connection: Connection, names: Sequence[str], replace: bool) -> None:
        holding = [n for n in names if connection.execute(select(1).select_from(metadata.tables[n]).limit(1)).first()]
        if holding and not replace:
            raise AlreadyExists(
                f"{self.masked_url} already holds data ({', '.join(holding)}); pass --replace to overwrite it"
            )
        for name in reversed(names):
            if name in holding:
                connection.execute(metadata.tables[name].delete())

    def _drop_search(self, connection: Connection, names: Sequence[str]) -> list[search.SearchIndex]:
        if connection.dialect.name not in ("sqlite", "postgresql"):
            return []
        dropped = [index for name in names if (index := tables.search_index(name)) is not None]
        for index in dropped:
            search.drop(connection, index)
        return dropped

    def _finish(self, connection: Connection, names: Sequence[str], dropped: list[search.SearchIndex]) -> None:
        for index in dropped:
            search.create(connection, index)  # built once, over every row
        for name in names:
            index = tables.search_index(name)
            if index is not None and index not in dropped and not index.documents:
                search.rebuild(connection, index)  # MariaDB's trigger-kept side table, once
            if index is not None and index.app_maintained(connection.dialect.name):
                sql, rows = search.upsert_side_sql(index, connection.dialect), _side_rows(connection, index)
                while batch := [(row[index.key], row["body"]) for row in islice(rows, 5000)]:
                    connection.exec_driver_sql(sql, batch)
            column = tables.autoincrement_column(name)
            if column is not None and connection.dialect.name == "postgresql":
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({column}), 1), "
                        f"MAX({column}) IS NOT NULL) FROM {name}"
                    ),
                    {"table": name, "column": column},
                )

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Row], batch_size: int = 5000) -> int:
        """Insert `rows` (tuples in `columns` order) in batches; returns how many were written."""
        assert self._connection is not None, "write inside `with writer.open(...)`"
        codec = RowCodec(tables.wire_table(table), columns, self._connection.dialect)
        cursor = self._connection.connection.dbapi_connection.cursor()
        written = 0
        try:
            stream = iter(rows)
            while batch := list(islice(stream, batch_size)):
                try:
                    cursor.executemany(codec.insert_sql, [codec.encode(row) for row in batch])
                except self._connection.dialect.loaded_dbapi.Error as exc:
                    raise translate_driver(exc, self._connection.dialect, codec.insert_sql) from exc
                written += len(batch)
        finally:
            cursor.close()
        return written


def _side_rows(connection: Connection, index: search.SearchIndex, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """MariaDB's search rows of an application-maintained index, from what was written: the words of
    its text columns and of every string inside its JSON documents, a keyset page at a time (no
    cursor stays open while the rows are written)."""
    wire = tables.wire_table(index.table)
    key = wire.c[index.key]
    columns = [wire.c[name] for name in (*index.texts, *index.documents)]
    last = None
    while True:
        query = select(key, *columns).order_by(key).limit(batch)
        page = connection.execute(query if last is None else query.where(key > last)).all()
        for stored_key, *values in page:
            texts, documents = values[: len(index.texts)], values[len(index.texts) :]
            strings = [text for text in texts if text is not None]
            for document in documents:
                strings.extend(strings_in(_decoded(document)))
            yield search.side_row(index, stored_key, strings)
        if len(page) < batch:
            return
        last = page[-1][0]


def _decoded(document: str | None) -> Any:
    try:
        return json.loads(document) if document else None
    except ValueError:
        return document  # not JSON: its text is indexed as it is
