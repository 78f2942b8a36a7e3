"""ia_modules' integration tests of its SQL layer, run unchanged on memcore.compat.nexusql.

Imports: `nexusql` resolves to memcore.compat.nexusql. URLs:
- test_sql_features_comprehensive.py takes upstream's top-conftest fixture `db_config` (SQLite
  `sqlite://:memory:`, plus PostgreSQL / MySQL when `TEST_*_URL` is set): here it is given once per
  dialect, SQLite as upstream wrote it, and on PostgreSQL and MariaDB an empty database made for the
  test (nexusql/fresh.py), since the file creates and drops tables named `users` and `orders`;
- test_sqlite_integration.py makes its own SQLite files and runs on SQLite only, as written;
- test_postgresql_integration.py reads `TEST_POSTGRESQL_URL` (and skips the module at import when
  it is unset): it is set while the file is collected, and for each test names an empty schema on
  memcore's PostgreSQL test server. It runs on PostgreSQL only (see README.md for why not MariaDB).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from memcore.compat import nexusql
from tests.conftest import SERVER_ENV, SQL_DIALECTS, dialect_param, server_url
from tests.vendored import coroutines
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_fixture_setup, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect
from tests.vendored.nexusql.fresh import FreshDatabases

_MIGRATIONS = (
    "reads nexusql's own migration table `ia_migrations`: the drop-in's initialize() applies memcore's "
    "schema (tracked by Alembic) and app SQL files (tracked in memcore_sql_migrations)"
)
EXCLUDED = {
    "test_sqlite_integration.py::TestSQLiteMigrations::test_migrations_create_tables": _MIGRATIONS,
    "test_sqlite_integration.py::TestSQLiteMigrations::test_migration_records_persist": _MIGRATIONS,
    "test_postgresql_integration.py::TestPostgreSQLMigrations::test_migration_table_creation": _MIGRATIONS,
    "test_postgresql_integration.py::TestPostgreSQLMigrations::test_migrations_are_recorded": _MIGRATIONS,
    "test_postgresql_integration.py::TestPostgreSQLMigrations::test_migration_idempotency": _MIGRATIONS,
}
_PG_FILE = "test_postgresql_integration.py"
_TYPES = {"sqlite": nexusql.DatabaseType.SQLITE, "postgresql": nexusql.DatabaseType.POSTGRESQL,
          "mariadb": nexusql.DatabaseType.MYSQL}  # fmt: skip

alias("nexusql", {n: getattr(nexusql, n) for n in nexusql.__all__})


def pytest_configure(config: pytest.Config) -> None:
    coroutines.pytest_configure(config)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """The PostgreSQL file decides at import whether to skip itself: it is imported with
    `TEST_POSTGRESQL_URL` set, so it runs (and fails loudly if the server is not configured)."""
    if not (isinstance(collector, pytest.Module) and Path(str(collector.path)).name == _PG_FILE):
        yield
        return
    before = os.environ.get("TEST_POSTGRESQL_URL")
    os.environ["TEST_POSTGRESQL_URL"] = os.environ.get(SERVER_ENV["postgresql"]) or "unset"
    try:
        yield
    finally:
        if before is None:
            del os.environ["TEST_POSTGRESQL_URL"]
        else:
            os.environ["TEST_POSTGRESQL_URL"] = before


@pytest.fixture(scope="session")
def fresh_servers() -> Iterator[Callable[[str], FreshDatabases]]:
    made: dict[str, FreshDatabases] = {}

    def get(dialect: str) -> FreshDatabases:
        if dialect not in made:
            made[dialect] = FreshDatabases(dialect, server_url(dialect))
        return made[dialect]

    yield get
    for fresh in made.values():
        fresh.close()


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def db_config(request: pytest.FixtureRequest, fresh_servers: Callable[[str], FreshDatabases]) -> Iterator[Any]:
    """Upstream's `db_config`, once per dialect."""
    if request.param == "sqlite":
        yield nexusql.ConnectionConfig(database_type=_TYPES["sqlite"], database_url="sqlite://:memory:")
        return
    fresh = fresh_servers(request.param)
    yield nexusql.ConnectionConfig(database_type=_TYPES[request.param], database_url=fresh.new())
    fresh.drop_all()


@pytest.fixture(autouse=True)
def postgresql_url(
    request: pytest.FixtureRequest, fresh_servers: Callable[[str], FreshDatabases], monkeypatch
) -> Iterator[None]:
    """For the PostgreSQL file: `TEST_POSTGRESQL_URL` names an empty schema made for the test."""
    if Path(str(request.node.path)).name != _PG_FILE:
        yield
        return
    fresh = fresh_servers("postgresql")
    monkeypatch.setenv("TEST_POSTGRESQL_URL", fresh.new())
    yield
    fresh.drop_all()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents and Path(str(item.path)).name == _PG_FILE:
            item.add_marker(pytest.mark.postgresql)
    deselect(config, items, __file__, EXCLUDED)
