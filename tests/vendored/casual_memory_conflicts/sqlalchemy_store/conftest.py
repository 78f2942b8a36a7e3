"""The SQLAlchemy store's tests on every SQL dialect: only their database URL is changed.

They build their store on `create_engine("sqlite:///:memory:")`. On SQLite that runs as written;
on PostgreSQL and MariaDB the URL becomes the test server's, in an emptied, migrated database,
and the engine is still a plain `sqlalchemy.create_engine` one, as the tests' users make it.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Engine

from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url

ORIGINAL_URL = "sqlite:///:memory:"


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(
    request: pytest.FixtureRequest, engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL the tests' `create_engine(ORIGINAL_URL)` opens on this dialect."""
    url = ORIGINAL_URL if request.param == "sqlite" else server_url(request.param)
    if request.param != "sqlite":
        empty_tables(engines[request.param])  # migrated once per run, emptied for each test
    made: list[Engine] = []

    def create_engine(given: str, *args: Any, **kwargs: Any) -> Engine:
        engine = sqlalchemy.create_engine(url if given == ORIGINAL_URL else given, *args, **kwargs)
        made.append(engine)
        return engine

    monkeypatch.setattr(request.module, "create_engine", create_engine)
    yield url
    for engine in made:
        engine.dispose()
