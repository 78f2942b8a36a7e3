"""nexusql's DatabaseManager tests, run unchanged on memcore.compat.nexusql.

Imports: `nexusql` resolves to memcore.compat.nexusql. URL: `ConnectionConfig` given the files'
`sqlite://:memory:` and the `db_manager` fixture (upstream's conftest fixture, which the
parametrized `db` fixture of test_database_param_order.py uses) open this dialect's database
instead: a fresh SQLite file, or the test server, whose tables the test made are dropped after it.
"""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from memcore.compat import nexusql
from memcore.infrastructure.sqlalchemy.tables import metadata
from tests.conftest import SQL_DIALECTS, dialect_param, server_url
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_configure, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect

EXCLUDED = {
    "test_database_manager.py::TestDatabaseManager::test_connection": "asserts the private `_connection`",
    "test_database_manager.py::TestDatabaseMigrations::test_migrations_table_creation": (
        "asserts nexusql's own migration table `ia_migrations`: the drop-in's initialize() applies "
        "memcore's schema (tracked by Alembic) and app SQL files (tracked in memcore_sql_migrations)"
    ),
    "test_database_manager.py::TestDatabaseMigrations::test_migration_tracking": (
        "reads nexusql's own system migrations from `ia_migrations` (see above)"
    ),
}
_url: list[str] = []


def connection_config(database_type: object, database_url: str, **parts: object) -> nexusql.ConnectionConfig:
    """The files' in-memory SQLite configuration, pointed at this dialect's database."""
    if database_url == "sqlite://:memory:" and _url:
        return nexusql.ConnectionConfig.from_url(_url[-1])
    return nexusql.ConnectionConfig(database_type=database_type, database_url=database_url, **parts)


alias("nexusql", {**{n: getattr(nexusql, n) for n in nexusql.__all__}, "ConnectionConfig": connection_config})


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'nexusql.db'}" if request.param == "sqlite" else server_url(request.param)
    _url.append(url)
    yield url
    _url.pop()
    if request.param != "sqlite":
        engine = engines[request.param]
        with engine.begin() as connection:
            for name in set(sa.inspect(connection).get_table_names()) - set(metadata.tables):
                if name.startswith("test_"):
                    connection.execute(sa.text(f"DROP TABLE {name}"))


@pytest.fixture
def db_manager(database_url: str) -> Iterator[nexusql.DatabaseManager]:
    db = nexusql.DatabaseManager(database_url)
    if not db.connect():
        pytest.fail("the test database is not reachable")
    yield db
    db.disconnect()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED)
