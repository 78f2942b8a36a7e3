"""nexusql's own tests (unit/ and integration/, as upstream lays them out), run unchanged on
memcore.compat.nexusql.

Imports: `nexusql` resolves to memcore.compat.nexusql. The two MSSQL helpers the files import
(`from ..conftest import ensure_mssql_database_exists`, and the same from `tests.conftest`) are
defined here and skip: memcore serves no MSSQL. URLs: unit/conftest.py points the files'
`sqlite://:memory:` at each dialect's database; integration/conftest.py points the files' own
backend parameters (`TEST_POSTGRESQL_URL`, `TEST_MYSQL_URL`) at memcore's test servers. On the
servers every test gets databases of its own, empty, dropped when it ends (fresh.py), as SQLite's
in-memory and temporary-file databases are for upstream.
"""

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memcore.compat import nexusql
from tests.conftest import server_url
from tests.vendored import coroutines
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect
from tests.vendored.nexusql.fresh import FreshDatabases

_NO_MSSQL = "memcore serves SQLite, PostgreSQL and MariaDB; it has no MSSQL backend"
# Tests excluded on every dialect (by file::test); the MSSQL parameters of every test are excluded
# as well (see `pytest_collection_modifyitems`).
EXCLUDED = {
    "unit/test_database_manager.py::TestDatabaseManager::test_connection": "asserts the private `_connection`",
    "unit/test_database_manager.py::TestDatabaseMigrations::test_migrations_table_creation": (
        "asserts nexusql's own migration table `ia_migrations`: the drop-in's initialize() applies "
        "memcore's schema (tracked by Alembic) and app SQL files (tracked in memcore_sql_migrations)"
    ),
    "unit/test_database_manager.py::TestDatabaseMigrations::test_migration_tracking": (
        "reads nexusql's own system migrations from `ia_migrations` (see above)"
    ),
}
SPLITTING = "calls nexusql's private `_split_sql_statements` (the drop-in's splitter is memcore's own)"
for _name in (
    "simple_statements", "semicolon_in_single_quoted_string", "escaped_single_quotes", "double_quoted_identifiers",
    "escaped_double_quotes", "single_line_comments", "multi_line_comments", "dollar_quoted_strings_postgresql",
    "dollar_quoted_with_tag", "no_trailing_semicolon", "empty_statements_filtered", "whitespace_handling",
    "complex_mixed_case",
):  # fmt: skip
    EXCLUDED[f"unit/test_sql_splitting.py::TestSQLSplitting::test_{_name}"] = SPLITTING
EXCLUDED.update({
    "integration/test_database_multi_backend.py::TestDatabaseBasicOperations::test_connection": (
        "asserts the private `_connection`"
    ),
    "integration/test_database_multi_backend.py::TestDatabaseMigrations::test_migrations_table_creation": (
        "asserts nexusql's own migration table `ia_migrations` (see unit/test_database_manager.py's)"
    ),
    "integration/test_database_multi_backend.py::TestDatabaseMigrations::test_migration_tracking": (
        "reads nexusql's own system migrations from `ia_migrations`"
    ),
})  # fmt: skip
# Tests excluded on one server only: they assert what SQLite allows and that server refuses.
EXCLUDED_ON = {
    "postgresql": {
        "unit/test_database_security.py::TestMaliciousInput::test_extremely_long_input": (
            "asserts a 1 MB value is accepted into a `TEXT UNIQUE` column: PostgreSQL's btree index "
            "refuses index keys that large (nexusql raises there too); SQLite and MariaDB (a hash "
            "index for a long unique key) store it"
        ),
    },
}
# Not an exclusion: tests that do not pass yet on the servers (issue 16 is open until this is empty).
PENDING = {
    line.strip()
    for line in (Path(__file__).parent / "pending_on_servers.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}


def ensure_mssql_database_exists(database_url: str) -> None:
    """Upstream's MSSQL set-up helper: there is no MSSQL here."""
    pytest.skip(_NO_MSSQL)


alias("nexusql", {n: getattr(nexusql, n) for n in nexusql.__all__})
# test_database_complete/comprehensive import the helper from upstream's top conftest by name.
sys.modules["tests.conftest"].ensure_mssql_database_exists = ensure_mssql_database_exists  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    coroutines.pytest_configure(config)
    for name in ("sqlite", "mysql", "mssql"):
        config.addinivalue_line("markers", f"{name}: a nexusql test parameter for {name} (vendored)")
    config.addinivalue_line("markers", "integration: nexusql's own integration marker (vendored)")
    config.addinivalue_line("markers", "slow: nexusql's own slow marker (vendored)")


@pytest.fixture(scope="session")
def fresh_databases() -> Iterator[Callable[[str], FreshDatabases]]:
    """`fresh_databases(dialect)`: the maker of empty databases on that server (made on first use)."""
    made: dict[str, FreshDatabases] = {}

    def get(dialect: str) -> FreshDatabases:
        if dialect not in made:
            made[dialect] = FreshDatabases(dialect, server_url(dialect))
        return made[dialect]

    yield get
    for fresh in made.values():
        fresh.close()


def test_dialect(item: pytest.Item) -> str:
    """The dialect a collected test runs on: unit/'s `database_url` or the file's own backend."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    for key in ("database_url", "backend", "db_config", "db"):
        if key in params:
            value = params[key]
            return {"postgres": "postgresql", "mysql": "mariadb"}.get(value, value)
    return "mariadb" if "mysql" in Path(str(item.path)).name else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for names in EXCLUDED_ON.values():
        for name in names:
            file, _, test = name.partition("::")
            if f"def {test.rpartition('::')[2]}(" not in (here / file).read_text(encoding="utf-8"):
                raise pytest.UsageError(f"excluded vendored test not found: {name}")
    mssql = []  # the MSSQL parameters, the tests excluded on their server, and the PENDING tests
    for item in items:
        if here not in Path(str(item.path)).parents:
            continue
        dialect = test_dialect(item)
        name = f"{Path(str(item.path)).relative_to(here).as_posix()}::{item.nodeid.split('::', 1)[1]}"
        if dialect == "mssql" or name.split("[")[0] in EXCLUDED_ON.get(dialect, {}):
            mssql.append(item)
        elif dialect in ("postgresql", "mariadb"):
            item.add_marker(getattr(pytest.mark, dialect))
        if name in PENDING:
            mssql.append(item)
    if mssql:
        config.hook.pytest_deselected(items=mssql)
        items[:] = [item for item in items if item not in mssql]
    deselect(config, items, __file__, EXCLUDED)
