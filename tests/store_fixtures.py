"""Stores (conversation memory, metrics) on every dialect, sync and async; async ones driven through `Synced`."""

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables


class Synced:
    """An async object's coroutine methods run to completion on one event loop."""

    def __init__(self, inner: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.inner, self.loop = inner, loop

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if inspect.iscoroutinefunction(attribute):
            return lambda *args, **kwargs: self.loop.run_until_complete(attribute(*args, **kwargs))
        return attribute


def url_of(engine: Any) -> str:
    return engine.url.render_as_string(hide_password=False)


MODES = [
    pytest.param((dialect, mode), id=f"{mode}-{dialect}", marks=dialect_param(dialect).marks)
    for dialect in SQL_DIALECTS
    for mode in ("sync", "async")
]


def open_memory(engine: Any, mode: str, **options: Any) -> Iterator[Any]:
    """A memory on the engine's (migrated, emptied) database, closed afterwards."""
    yield from open_store(engine, mode, (SQLConversationMemory, AsyncSQLConversationMemory), **options)


def open_store(engine: Any, mode: str, classes: tuple[type, type], **options: Any) -> Iterator[Any]:
    """A store of the sync or async class on the engine's (migrated, emptied) database."""
    empty_tables(engine)
    if mode == "sync":
        db = Database(url_of(engine))
        yield classes[0](db, **options)
        db.close()
        return
    loop = asyncio.new_event_loop()
    adb = AsyncDatabase(url_of(engine))
    yield Synced(classes[1](adb, **options), loop)
    loop.run_until_complete(adb.close())
    loop.close()
