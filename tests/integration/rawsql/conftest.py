"""One behaviour suite for `Database` and `AsyncDatabase`: the async one is driven through
`SyncFacade`, which runs each call on one event loop in one context (so a transaction opened by
one call is seen by the next), exactly as an async service would await them in one task.
"""

import asyncio
import contextvars
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import SQL_DIALECTS, dialect_param, server_url

TABLES = ("raw_items", "raw_big", "raw_people", "mig_users", "mig_orders", "mig_notes", "memcore_sql_migrations")


class SyncFacade:
    """An AsyncDatabase with Database's synchronous surface."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.inner = db
        self._loop = asyncio.new_event_loop()
        self._context = contextvars.copy_context()

    def run(self, coroutine: Any) -> Any:
        return self._loop.run_until_complete(self._loop.create_task(coroutine, context=self._context))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if inspect.iscoroutinefunction(attribute):
            return lambda *args, **kwargs: self.run(attribute(*args, **kwargs))
        return attribute

    @contextmanager
    def transaction(self) -> Iterator[None]:
        manager = self.inner.transaction()
        self.run(manager.__aenter__())
        try:
            yield
        except BaseException as exc:
            if not self.run(manager.__aexit__(type(exc), exc, exc.__traceback__)):
                raise
        else:
            self.run(manager.__aexit__(None, None, None))

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        rows = self.inner.stream(*args, **kwargs)

        def pull() -> Iterator[dict[str, Any]]:
            try:
                while True:
                    try:
                        yield self.run(rows.__anext__())
                    except StopAsyncIteration:
                        return
            finally:
                self.run(rows.aclose())

        return pull()

    def close(self) -> None:
        try:
            self.run(self.inner.close())
        finally:
            self._loop.close()


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'raw.db'}" if request.param == "sqlite" else server_url(request.param)


def open_database(url: str, mode: str, **options: Any) -> Any:
    return Database(url, **options) if mode == "sync" else SyncFacade(AsyncDatabase(url, **options))


@pytest.fixture(params=["sync", "async"])
def db(request: pytest.FixtureRequest, url: str) -> Iterator[Any]:
    """A Database, or an AsyncDatabase behind SyncFacade, with this suite's tables dropped."""
    database = open_database(url, request.param)
    drop_tables(database)
    yield database
    drop_tables(database)
    database.close()


def drop_tables(database: Any) -> None:
    for table in TABLES:
        database.execute(f"DROP TABLE IF EXISTS {table}")


def create_items(database: Any) -> None:
    """raw_items: text, bytes, a timestamp with microseconds, a double, per dialect."""
    blob, stamp, options = {
        "sqlite": ("BLOB", "TIMESTAMP", ""),
        "postgresql": ("BYTEA", "TIMESTAMP", ""),
    }.get(database.dialect, ("LONGBLOB", "DATETIME(6)", " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    database.execute(
        f"CREATE TABLE raw_items (id INTEGER PRIMARY KEY, name VARCHAR(200), data {blob}, "
        f"at {stamp}, score DOUBLE PRECISION){options}"
    )
