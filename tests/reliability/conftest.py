"""Fixtures of the reliability suite: fresh databases per dialect, private servers, the figures.

Scale: the short version runs in CI (a few minutes in all); MEMCORE_RELIABILITY=full runs the
counts issue 19 asks for (>= 50 SIGKILLs per context on SQLite, >= 10 on each server, longer races,
more hostile examples). Either way every figure lands in docs/reliability/results.{json,md}.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

import memcore
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.reliability.results import Results
from tests.reliability.servers import SERVERS, claim

FULL = os.environ.get("MEMCORE_RELIABILITY", "short") == "full"
SCALE = {
    "processes": 8,
    "posts": 60 if FULL else 15,
    "rounds": 20 if FULL else 4,
    "saves": 25 if FULL else 6,
    "kills_sqlite": 50 if FULL else 8,
    "kills_server": 10 if FULL else 2,
    "restarts": 3 if FULL else 1,
    "examples": 200 if FULL else 25,
}


_RESULTS = Results("full" if FULL else "short")


@pytest.fixture(scope="session")
def results() -> Iterator[Results]:
    yield _RESULTS
    _RESULTS.write()


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def database(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> str:
    """The URL of a migrated, empty database on each dialect (the shared servers' test database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reliability.db'}"
        with memcore.connect(url) as app:
            app.migrate()
        return url
    empty_tables(engines[request.param])
    return server_url(request.param)


_private: dict[str, object] = {}


@pytest.fixture(scope="session")
def private_servers() -> Iterator[dict[str, object]]:
    with claim():  # one test run per servers' directory
        yield _private
        for server in _private.values():
            server.destroy()  # type: ignore[attr-defined]


# Marked postgresql / mariadb like the tests on the shared servers: `-m "not mariadb"` leaves them out.
@pytest.fixture(params=[dialect_param(name) for name in SERVERS])
def private_server(request: pytest.FixtureRequest, private_servers: dict[str, object]):
    """A private server of the kind named, started (made on first use), its database migrated."""
    name = request.param
    if name not in private_servers:
        private_servers[name] = SERVERS[name]()
    server = private_servers[name]
    server.start()  # type: ignore[attr-defined]
    with memcore.connect(server.url) as app:  # type: ignore[attr-defined]
        app.migrate()
        empty_tables(app.container.engine())
    return server
