"""A scratch database per dialect for tests that need one to themselves (migrations)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from tests.conftest import SQL_DIALECTS, dialect_param, server_url


def scratch_name(dialect: str) -> str:
    """The private test database's name + `_scratch`: sessions sharing a server never clash."""
    return f"{make_url(server_url(dialect)).database}_scratch"


def _recreate(admin: Engine, dialect: str) -> None:
    scratch = scratch_name(dialect)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if dialect == "postgresql":
            connection.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {scratch} ENCODING 'UTF8' TEMPLATE template0"))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS {scratch}"))
            connection.execute(text(f"CREATE DATABASE {scratch} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def scratch_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An empty database of its own, on each dialect."""
    if request.param == "sqlite":
        engine = build_engine(Settings(url=f"sqlite:///{tmp_path / 'scratch.db'}"))
        yield engine
        engine.dispose()
        return
    admin = build_engine(Settings(url=server_url(request.param)))
    _recreate(admin, request.param)
    url = make_url(server_url(request.param)).set(database=scratch_name(request.param))
    engine = build_engine(Settings(url=url.render_as_string(hide_password=False)))
    yield engine
    engine.dispose()
    admin.dispose()
