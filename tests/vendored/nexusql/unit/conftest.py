"""nexusql's unit tests open `ConnectionConfig(..., "sqlite://:memory:")`: each runs once per
dialect, as written on SQLite, that configuration opening the emptied test server on the others."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from memcore.compat import nexusql
from tests.conftest import SQL_DIALECTS, dialect_param, server_url
from tests.vendored.aliases import alias
from tests.vendored.nexusql.conftest import drop_test_tables

_url: list[str] = []
_ConnectionConfig = nexusql.ConnectionConfig


class ConnectionConfig(_ConnectionConfig):
    """The files' in-memory SQLite configuration, pointed at this dialect's database."""

    def __init__(self, database_type: object, database_url: str, *args: object, **parts: object) -> None:
        if database_url == "sqlite://:memory:" and _url and _url[-1] != "sqlite":
            redirected = _ConnectionConfig.from_url(_url[-1])
            database_type, database_url = redirected.database_type, redirected.database_url
        super().__init__(database_type, database_url, *args, **parts)  # type: ignore[arg-type]


alias("nexusql", {**{n: getattr(nexusql, n) for n in nexusql.__all__}, "ConnectionConfig": ConnectionConfig})


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'nexusql.db'}" if request.param == "sqlite" else server_url(request.param)
    if request.param != "sqlite":
        drop_test_tables(engines[request.param])
    _url.append(url if request.param != "sqlite" else "sqlite")  # SQLite runs in memory, as written
    yield url
    _url.pop()
    if request.param != "sqlite":
        drop_test_tables(engines[request.param])


@pytest.fixture
def db_manager(database_url: str) -> Iterator[nexusql.DatabaseManager]:
    db = nexusql.DatabaseManager(database_url)
    if not db.connect():
        pytest.fail("the test database is not reachable")
    yield db
    db.disconnect()
