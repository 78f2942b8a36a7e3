"""nexusql's unit tests open `ConnectionConfig(..., "sqlite://:memory:")` or a temporary SQLite
file: each runs once per dialect, as written on SQLite. On the servers their managers connect to
databases made for the test (fresh.py) instead, as SQLite would have them: every connect to
`:memory:` gets a new, empty one; every manager opening the same file path shares one."""

from collections.abc import Callable, Iterator

import pytest

from memcore.compat import nexusql
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.vendored.aliases import alias
from tests.vendored.nexusql.fresh import FreshDatabases

_MEMORY = ("sqlite://:memory:", "sqlite:///:memory:", ":memory:")
_DatabaseManager = nexusql.DatabaseManager
_SERVER_ENV = {"postgresql": "TEST_POSTGRESQL_URL", "mariadb": "TEST_MYSQL_URL"}


class _Redirect:
    """This test's server: its fresh-database maker, and the database each SQLite file path opens."""

    def __init__(self, fresh: FreshDatabases) -> None:
        self.fresh = fresh
        self.files: dict[str, str] = {}

    def file(self, url: str) -> str:
        path = url.split("://", 1)[1].lstrip("/") if "://" in url else url
        if path not in self.files:
            self.files[path] = self.fresh.new()
        return self.files[path]


_redirects: list[_Redirect | None] = []  # the running test's server (None on SQLite)


class DatabaseManager(_DatabaseManager):
    """nexusql's manager. On a server, a SQLite configuration connects to the test's databases
    instead, as SQLite would have them: `:memory:` to a new, empty one on every connect (as
    `sqlite3.connect(":memory:")`), a file path to the one database of that path. The
    configuration itself stays as the test wrote it."""

    def connect(self) -> bool:
        redirect = _redirects[-1] if _redirects else None
        if redirect is None or self.dialect is not None or self.config.database_type is not nexusql.DatabaseType.SQLITE:
            return super().connect()
        url = self.config.database_url
        target = redirect.fresh.new() if url in _MEMORY else redirect.file(url)
        written, self.config = self.config, nexusql.ConnectionConfig.from_url(target)
        try:
            return super().connect()
        finally:
            self.config = written
            if url in _MEMORY:
                self.__dict__["memory_database"] = (redirect, target)

    def disconnect(self) -> None:
        """As SQLite's `:memory:`, the database goes with the connection (emptied for reuse)."""
        super().disconnect()
        redirect, target = self.__dict__.pop("memory_database", (None, None))
        if redirect is not None and _redirects and _redirects[-1] is redirect:
            redirect.fresh.release(target)


alias(
    "nexusql",
    {
        **{n: getattr(nexusql, n) for n in nexusql.__all__},
        "DatabaseManager": DatabaseManager,
    },
)


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(
    request: pytest.FixtureRequest, fresh_databases: Callable[[str], FreshDatabases], tmp_path, monkeypatch
) -> Iterator[str]:
    # test_sql_splitting.py's server tests read these (and skip without them): this dialect's only.
    for variable in _SERVER_ENV.values():
        monkeypatch.delenv(variable, raising=False)
    if request.param in _SERVER_ENV:
        monkeypatch.setenv(_SERVER_ENV[request.param], fresh_databases(request.param).new())
    if request.param == "sqlite":
        _redirects.append(None)  # SQLite runs as written
        yield f"sqlite:///{tmp_path / 'nexusql.db'}"
        _redirects.pop()
        return
    fresh = fresh_databases(request.param)
    _redirects.append(_Redirect(fresh))
    try:
        yield fresh.new()
    finally:
        _redirects.pop()
        fresh.drop_all()


@pytest.fixture
def db_manager(database_url: str) -> Iterator[nexusql.DatabaseManager]:
    db = nexusql.DatabaseManager(database_url)
    if not db.connect():
        pytest.fail("the test database is not reachable")
    yield db
    db.disconnect()
