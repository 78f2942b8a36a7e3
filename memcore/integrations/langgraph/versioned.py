"""The saver's repeated reads of an SQLite file, answered from the rows last read while nothing changed.

`PRAGMA data_version` on a connection changes whenever another connection (of this process or any
other) has committed to the database file since it was last asked. The saver's reads run on
FastReader's read-only connections, so an unchanged version proves the file unchanged, and the
rows read before under the same SQL and values are still the answer: one cheap statement instead
of the index seeks. Rows are kept as the driver returned them (tuples of str, bytes, int) and
decoded again on every call, so callers never share a checkpoint object. (The store's get reads a
different key each time in the usual loop, so there the extra statement would cost, not save.)

Only for SQLite files on a pool that gives each reader its own connection: an in-memory database
(or a static pool) shares one connection between reads and writes, and a connection's own commits
leave its data_version alone. The saver also forgets everything when it writes (`forget`), and the
first read after that goes straight to the table: a graph that reads after each write pays nothing.
"""

import threading
from typing import Any

from sqlalchemy.pool import SingletonThreadPool, StaticPool

from memcore.infrastructure.sqlalchemy.fastpath import FastReader

DATA_VERSION = "PRAGMA data_version"
MAX_KEPT = 256  # result sets per thread; all are dropped when full (the hot threads come back first)


def versioned_ok(reader: FastReader) -> bool:
    """Whether reads on `reader` may be answered from the rows kept (see the module docstring)."""
    engine = reader.engine
    if engine.dialect.name != "sqlite" or isinstance(engine.pool, SingletonThreadPool | StaticPool):
        return False
    database = engine.url.database or ""
    return bool(database) and ":memory:" not in database and "mode=memory" not in database


class VersionedReads:
    """`all(sql, args)` as FastReader's, answered from the rows kept while the file is unchanged."""

    def __init__(self, reader: FastReader) -> None:
        self.reader = reader
        self._local = threading.local()
        self._generation = 0  # bumped by forget(): every thread's rows are then stale

    def forget(self) -> None:
        """Drop every thread's kept rows (this process wrote to the file)."""
        self._generation += 1

    def all(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        reader, local = self.reader, self._local
        generation = self._generation
        if getattr(local, "generation", None) != generation:
            # This process wrote since this thread last looked (a graph's put before its next read):
            # nothing kept holds, so read at once, without asking the version; keep from the next read.
            local.generation, local.kept = generation, None
            return reader.all(sql, args)
        # A version is a counter of one connection: the reader's connection (renewed after a broken
        # one) is part of it, so versions of two connections are never compared.
        version = (reader.first(DATA_VERSION, ())[0], reader.connection())
        kept: dict[tuple[str, tuple[Any, ...]], list[Any]] | None = local.kept
        # The version is read before the rows: a commit in between makes the next version differ.
        if kept is None or local.version[0] != version[0] or local.version[1] is not version[1]:
            kept = local.kept = {}
            local.version = version
        key = (sql, args)
        rows = kept.get(key)
        if rows is None:
            rows = reader.all(sql, args)
            if len(kept) >= MAX_KEPT:
                kept.clear()
            if generation == self._generation:  # no write of ours ran while reading
                kept[key] = rows
        return rows
