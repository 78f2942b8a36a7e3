"""ia_modules' checkpointer tests, run unchanged on memcore's SQL checkpointer drop-in.

Imports: `ia_modules.checkpoint.MemoryCheckpointer` resolves to a stand-in that builds
memcore.compat.ia_checkpoint.SQLCheckpointer on a nexusql DatabaseManager drop-in for this
dialect's database (the test calls it with no arguments, as it called the in-memory one). URL:
a fresh SQLite file, or the migrated test server emptied first. The suite runs a second time on
each dialect (`<dialect>-v001`) over a `pipeline_checkpoints` that ia_modules' own V001 migration
made (V001__complete_schema.sql, vendored beside it, run through the nexusql drop-in into an empty
database), which the drop-in uses as it is. The suite's `@pytest.mark.asyncio` coroutines run on
asyncio (pytest-asyncio is not a memcore dependency).
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from memcore.compat import ia_checkpoint
from memcore.compat.nexusql import DatabaseManager
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_configure, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect
from tests.vendored.nexusql.fresh import FreshDatabases

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


V001 = Path(__file__).parent / "V001__complete_schema.sql"
SCHEMAS = [
    *(dialect_param(d) for d in SQL_DIALECTS),
    *(pytest.param(f"{d}-v001", marks=dialect_param(d).marks, id=f"{d}-v001") for d in SQL_DIALECTS),
]


def _v001_database(dialect: str, tmp_path: Path) -> tuple[str, FreshDatabases | None]:
    """An empty database with ia_modules' V001 schema, and nothing of memcore's."""
    fresh = None if dialect == "sqlite" else FreshDatabases(dialect, server_url(dialect))
    url = f"sqlite:///{tmp_path / 'v001.db'}" if fresh is None else fresh.new()
    with DatabaseManager(url) as db:
        assert db.connect()
        assert asyncio.run(db.execute_script(V001.read_text(encoding="utf-8"))).success
    return url, fresh


@pytest.fixture(autouse=True, params=SCHEMAS)
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> Iterator[str]:
    dialect, _, schema = request.param.partition("-")
    fresh = None
    if schema == "v001":
        url, fresh = _v001_database(dialect, tmp_path)
    else:
        empty_tables(engines[dialect])
        url = f"sqlite:///{tmp_path / 'ia.db'}" if dialect == "sqlite" else server_url(dialect)
        if dialect == "sqlite":
            assert asyncio.run(DatabaseManager(url).initialize())
    _url.append(url)
    yield url
    while _open:
        _open.pop().disconnect()
    if fresh is not None:
        fresh.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED)
