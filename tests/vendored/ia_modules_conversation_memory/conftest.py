"""ia_modules' conversation-memory and `Message` tests, run unchanged on memcore.compat.ia_memory.

Imports: `ia_modules.memory.core` resolves to memcore.compat.ia_memory, and
`ia_modules.memory.memory_backend.MemoryConversationMemory` to a stand-in that builds its
SQLConversationMemory on a nexusql DatabaseManager drop-in for this dialect's database (the test
calls it with no arguments, as it called the in-memory one). URL: a fresh SQLite file, or the
migrated test server emptied first. Only test_memory_core.py runs per dialect: the edge-case
file tests the `Message` dataclass alone and touches no database, so it runs once. The suite's
`@pytest.mark.asyncio` coroutines run on asyncio (pytest-asyncio is not a memcore dependency).
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from memcore.compat import ia_memory
from memcore.compat.nexusql import DatabaseManager
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_configure, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect

EXCLUDED = {
    "test_memory_edge_cases.py::TestMessageEdgeCases::test_message_default_timestamp": (
        "compares the default timestamp with naive `datetime.now()`; memcore's `Message` defaults to "
        "a UTC-aware time, a difference docs/compat.md §6 keeps"
    ),
}
PER_DIALECT = "test_memory_core.py"
_open: list[DatabaseManager] = []
_url: list[str] = []


def memory_conversation_memory() -> ia_memory.SQLConversationMemory:
    db = DatabaseManager(_url[-1])
    assert db.connect()
    _open.append(db)
    return ia_memory.SQLConversationMemory(db)


alias("ia_modules.memory.core", ia_memory)
alias("ia_modules.memory.memory_backend", {"MemoryConversationMemory": memory_conversation_memory})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if Path(str(metafunc.definition.path)).name == PER_DIALECT:
        params = [dialect_param(d) for d in SQL_DIALECTS]
        metafunc.parametrize("database_url", params, indirect=True)


@pytest.fixture(autouse=True)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str | None]:
    dialect = getattr(request, "param", None)
    if dialect is None:  # the edge-case file: no database
        yield None
        return
    empty_tables(request.getfixturevalue("engines")[dialect])
    url = f"sqlite:///{tmp_path / 'ia.db'}" if dialect == "sqlite" else server_url(dialect)
    if dialect == "sqlite":
        assert asyncio.run(DatabaseManager(url).initialize())
    _url.append(url)
    yield url
    while _open:
        _open.pop().disconnect()
    _url.pop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED)
