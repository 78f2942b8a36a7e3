"""the_edge_agent's SQLAlchemy LTM backend and catalog tests, run unchanged on memcore's drop-ins.

Imports: `the_edge_agent.memory` (and its `sqlalchemy_backend`, `catalog_sqlalchemy` modules)
resolve to memcore.compat.ltm. URL: the tests open `sqlite:///:memory:`; the stand-ins below pass
every other argument through and swap that one URL for the dialect's under test (SQLite keeps it),
in a database emptied before each test. Tests on private attributes, or on the dialect being
SQLite, are deselected and listed in EXCLUDED with the reason.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from memcore.compat import ltm
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables, server_url
from tests.vendored.aliases import alias
from tests.vendored.exclusions import deselect

ORIGINAL_URL = "sqlite:///:memory:"
_target = {"url": ORIGINAL_URL}


def _url(kwargs: dict[str, Any]) -> dict[str, Any]:
    return kwargs | {"url": _target["url"]} if kwargs.get("url") == ORIGINAL_URL else kwargs


class SQLAlchemyBackend(ltm.SQLAlchemyBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **_url(kwargs))


class SQLAlchemyCatalog(ltm.SQLAlchemyCatalog):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **_url(kwargs))


def create_ltm_backend(name: str, **kwargs: Any) -> Any:
    return ltm.create_ltm_backend(name, **_url(kwargs))


def create_catalog_backend(name: str, **kwargs: Any) -> Any:
    return ltm.create_catalog_backend(name, **_url(kwargs))


alias(
    "the_edge_agent.memory",
    {name: getattr(ltm, name) for name in ltm.__all__}
    | {"create_ltm_backend": create_ltm_backend, "create_catalog_backend": create_catalog_backend},
)
alias("the_edge_agent.memory.sqlalchemy_backend", {"SQLAlchemyBackend": SQLAlchemyBackend})
alias("the_edge_agent.memory.catalog_sqlalchemy", {"SQLAlchemyCatalog": SQLAlchemyCatalog})

PRIVATE = "asserts on private attributes (_initialized, _engine, _session_factory, _closed)"
EXCLUDED = {
    "test_sqlalchemy_backend.py::TestSQLAlchemyBackendInit::test_init_creates_engine": PRIVATE,
    "test_sqlalchemy_backend.py::TestSQLAlchemyBackendInit::test_lazy_init_defers_engine_creation": PRIVATE,
    "test_sqlalchemy_backend.py::TestSQLAlchemyBackendInit::test_lazy_init_creates_engine_on_first_use": PRIVATE,
    "test_sqlalchemy_backend.py::TestSQLAlchemyBackendClose::test_close_disposes_engine": PRIVATE,
    "test_catalog_sqlalchemy.py::TestSQLAlchemyCatalogInit::test_init_creates_engine": PRIVATE,
    "test_catalog_sqlalchemy.py::TestSQLAlchemyCatalogInit::test_lazy_init_defers_engine_creation": PRIVATE,
    "test_catalog_sqlalchemy.py::TestSQLAlchemyCatalogInit::test_lazy_init_creates_engine_on_first_use": PRIVATE,
    "test_catalog_sqlalchemy.py::TestSQLAlchemyCatalogClose::test_close_disposes_engine": PRIVATE,
    "test_catalog_sqlalchemy.py::TestSQLAlchemyCatalogContextManager::test_context_manager": PRIVATE,
}
NOT_REPLACED = (
    "builds or lists the_edge_agent's other LTM backends and catalogs (its native SQLite backend and "
    "catalog, DuckDB, Litestream, blob-SQLite), which memcore does not replace: its drop-in is the "
    "SQLAlchemy backend and catalog, registered as `sqlalchemy`"
)
for _name in (
    "TestLTMBackendRegistry::test_registered_backends",
    "TestLTMBackendRegistry::test_create_sqlite_backend",
    "TestLTMBackendRegistry::test_create_duckdb_backend",
    "TestCatalogBackendRegistry::test_registered_catalog_backends",
    "TestCatalogBackendRegistry::test_create_sqlite_catalog",
    "TestParseLTMConfig::test_parse_complete_config",
    "TestParseLTMConfig::test_parse_duckdb_config",
):  # fmt: skip
    EXCLUDED[f"test_ltm_factory.py::{_name}"] = NOT_REPLACED
for _name in (
    "TestParseLTMConfig::test_parse_with_env_vars", "TestDuckDBLTMBackendLazyInit::test_lazy_catalog_creation",
    "TestDuckDBLTMBackendLazyInit::test_store_triggers_lazy_init",
):  # fmt: skip
    EXCLUDED[f"test_ltm_factory.py::{_name}"] = (
        "builds the_edge_agent's DuckDB backend (not replaced) and asserts its private `_storage_uri` / `_catalog`"
    )
# Run on SQLite, where it holds; elsewhere the dialect is rightly not "sqlite".
EXCLUDED_OFF_SQLITE = {
    "test_sqlalchemy_backend.py::TestSQLAlchemyBackendInit::test_dialect_property": "asserts the dialect is SQLite",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect(config, items, __file__, EXCLUDED, EXCLUDED_OFF_SQLITE)


@pytest.fixture(autouse=True, params=[dialect_param(d) for d in SQL_DIALECTS])
def database_url(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> Iterator[str]:
    """The URL that the tests' `sqlite:///:memory:` opens on this dialect."""
    if request.param == "sqlite":
        _target["url"] = ORIGINAL_URL
    else:
        _target["url"] = server_url(request.param)
        empty_tables(engines[request.param])  # migrated once per run, emptied for each test
    yield _target["url"]
    _target["url"] = ORIGINAL_URL
