"""nexusql's integration tests pick their backend by a parameter of their own and read its URL from
`TEST_POSTGRESQL_URL` / `TEST_MYSQL_URL`: for the duration of a test those name an empty database
made for it on memcore's PostgreSQL or MariaDB test server (fresh.py); `sqlite` runs as written."""

import os
from collections.abc import Callable, Iterator

import pytest

from memcore.compat import nexusql
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.vendored.nexusql.conftest import test_dialect
from tests.vendored.nexusql.fresh import FreshDatabases

_ENV = {"postgresql": "TEST_POSTGRESQL_URL", "mariadb": "TEST_MYSQL_URL"}


@pytest.fixture(autouse=True)
def backend_urls(
    request: pytest.FixtureRequest, fresh_databases: Callable[[str], FreshDatabases], monkeypatch
) -> Iterator[None]:
    dialect = test_dialect(request.node)
    if dialect == "mssql":
        yield
        return
    for variable in _ENV.values():
        monkeypatch.delenv(variable, raising=False)
    if dialect not in _ENV:
        yield
        return
    fresh = fresh_databases(dialect)
    monkeypatch.setenv(_ENV[dialect], fresh.new())
    try:
        yield
    finally:
        fresh.drop_all()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Upstream's conftest fixtures (`db_manager`, `db_config`) open SQLite unless a test names a
    backend: a test using them without a backend parameter of its own runs once per dialect."""
    if "backend" in metafunc.fixturenames and "db" not in metafunc.fixturenames:
        metafunc.parametrize("backend", [dialect_param(d) for d in SQL_DIALECTS], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The dialect of a test using upstream's conftest fixtures: this parameter, or the test's own."""
    return getattr(request, "param", None) or test_dialect(request.node)


def backend_url(dialect: str, tmp_path) -> str:
    return os.environ[_ENV[dialect]] if dialect in _ENV else f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def db_config(backend: str, tmp_path) -> nexusql.ConnectionConfig:
    """Upstream's `db_config`, for this test's backend."""
    return nexusql.ConnectionConfig.from_url(backend_url(backend, tmp_path))


@pytest.fixture
def db_manager(backend: str, tmp_path) -> Iterator[nexusql.DatabaseManager]:
    """Upstream's `db_manager` (test_database_param_order.py's `db` hands it on): the backend the
    test's parameter names, which upstream meant but never passed on (it always opened SQLite)."""
    db = nexusql.DatabaseManager(backend_url(backend, tmp_path))
    if not db.connect():
        pytest.fail("the test database is not reachable")
    yield db
    db.disconnect()
