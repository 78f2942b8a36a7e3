"""ia_modules' checkpointer tests, run unchanged on memcore's SQL checkpointer drop-in.

Imports: `ia_modules.checkpoint.MemoryCheckpointer` resolves to a stand-in that builds
memcore.compat.ia_checkpoint.SQLCheckpointer on a nexusql DatabaseManager drop-in for this
dialect's database (the test calls it with no arguments, as it called the in-memory one). URL:
a fresh SQLite file, or the migrated test server emptied first. The suite's `@pytest.mark.asyncio`
coroutines run on asyncio (pytest-asyncio is not a memcore dependency).
"""

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from memcore.compat import ia_checkpoint
from memcore.compat.nexusql import DatabaseManager
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_configure, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect

EXCLUDED = {
    "test_checkpoint_memory.py::TestMemoryCheckpointerBasic::test_save_checkpoint": (
        "asserts the in-memory store's id format (`ckpt-` + uuid); ia_modules' SQLCheckpointer, which "
        "the drop-in replaces, returns a plain uuid4 string"
    ),
}
_open: list[DatabaseManager] = []
_url: list[str] = []


def memory_checkpointer() -> ia_checkpoint.SQLCheckpointer:
    db = DatabaseManager(_url[-1])
    assert db.connect()
    _open.append(db)
    return ia_checkpoint.SQLCheckpointer(db)


alias("ia_modules.checkpoint", {**{n: getattr(ia_checkpoint, n) for n in ia_checkpoint.__all__},
                                "MemoryCheckpointer": memory_checkpointer})  # fmt: skip


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> Iterator[str]:
    engine = engines[request.param]
    empty_tables(engine)
    url = f"sqlite:///{tmp_path / 'ia.db'}" if request.param == "sqlite" else server_url(request.param)
    if request.param == "sqlite":
        assert asyncio.run(DatabaseManager(url).initialize())
    _url.append(url)
    yield url
    while _open:
        _open.pop().disconnect()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED)
