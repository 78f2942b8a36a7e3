"""Fixtures of the framework adapters' tests: a migrated, empty database's URL on each dialect."""

import pytest
from sqlalchemy import Engine


@pytest.fixture
def sql_url(sql_engine: Engine) -> str:
    """The URL (password included) of the `sql_engine` database: migrated, emptied."""
    return sql_engine.url.render_as_string(hide_password=False)


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> str:
    """Which saver of the pair: MemcoreSaver (sync) or AsyncMemcoreSaver."""
    return request.param
