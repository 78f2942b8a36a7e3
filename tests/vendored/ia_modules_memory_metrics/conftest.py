"""ia_modules' metric storage tests, run unchanged on memcore.compat.ia_metrics.

Imports: `ia_modules.reliability.sql_metric_storage` resolves to memcore.compat.ia_metrics and
`nexusql` to memcore.compat.nexusql. URL: the file's `ConnectionConfig(..., "sqlite://:memory:")`
opens this dialect's database instead (a fresh SQLite file, or the migrated test server emptied
first); its `initialize(apply_schema=True)` applies memcore's migrations, 0013's tables included.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from memcore.compat import ia_metrics, nexusql
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias
from tests.vendored.coroutines import pytest_configure, pytest_fixture_setup, pytest_pyfunc_call  # noqa: F401
from tests.vendored.exclusions import deselect

EXCLUDED: dict[str, str] = {}
_url: list[str] = []


def connection_config(database_type: object, database_url: str, **parts: object) -> nexusql.ConnectionConfig:
    """The file's in-memory SQLite configuration, pointed at this dialect's database."""
    if database_url == "sqlite://:memory:" and _url:
        return nexusql.ConnectionConfig.from_url(_url[-1])
    return nexusql.ConnectionConfig(database_type=database_type, database_url=database_url, **parts)


alias("nexusql", {**{n: getattr(nexusql, n) for n in nexusql.__all__}, "ConnectionConfig": connection_config})
alias("ia_modules.reliability.sql_metric_storage", ia_metrics)


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine], tmp_path) -> Iterator[str]:
    empty_tables(engines[request.param])
    url = f"sqlite:///{tmp_path / 'ia.db'}" if request.param == "sqlite" else server_url(request.param)
    _url.append(url)
    yield url
    _url.pop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED)
