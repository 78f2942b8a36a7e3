"""A scratch database per dialect for tests that need one to themselves (migrations)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from infrastructure.settings import Settings
from infrastructure.sqlalchemy.engine import build_engine
from tests.conftest import SQL_DIALECTS, dialect_param, server_url

SCRATCH = "memcore_scratch"


def _recreate(admin: Engine, dialect: str) -> None:
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if dialect == "postgresql":
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {SCRATCH} ENCODING 'UTF8' TEMPLATE template0"))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
            connection.execute(text(f"CREATE DATABASE {SCRATCH} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))


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
    url = make_url(server_url(request.param)).set(database=SCRATCH)
    engine = build_engine(Settings(url=url.render_as_string(hide_password=False)))
    yield engine
    engine.dispose()
    admin.dispose()
