"""Shared fixtures: one database per dialect, migrated once, emptied before each test.

The PostgreSQL and MariaDB servers are found through MEMCORE_TEST_POSTGRES_URL and
MEMCORE_TEST_MARIADB_URL (printed by scripts/servers.sh). A test that needs a server which is not
configured fails loudly; it is never skipped. Deselect on purpose with `-m "not postgresql"`.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

from memcore.application.unit_of_work import UnitOfWork
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate, search
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.mappers import start_mappers
from memcore.infrastructure.sqlalchemy.tables import SEARCH_INDEXES, metadata
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

SERVER_ENV = {"postgresql": "MEMCORE_TEST_POSTGRES_URL", "mariadb": "MEMCORE_TEST_MARIADB_URL"}
SQL_DIALECTS = ["sqlite", "postgresql", "mariadb"]
ADAPTERS = ["memory", *SQL_DIALECTS]


def server_url(dialect: str) -> str:
    url = os.environ.get(SERVER_ENV[dialect])
    if not url:
        pytest.fail(
            f"{dialect} test server is not configured: set {SERVER_ENV[dialect]} "
            f'(eval "$(bash scripts/servers.sh)") or deselect with -m "not {dialect}"',
            pytrace=False,
        )
    return url


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, give each worker databases of its own on the shared servers."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    for dialect, variable in SERVER_ENV.items():
        if os.environ.get(variable):
            os.environ[variable] = _worker_database(dialect, os.environ[variable], worker)


def _worker_database(dialect: str, url: str, worker: str) -> str:
    """Create (once) the database `<name>_<worker>` beside the configured one and return its URL."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            if dialect == "postgresql":
                found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if found.first() is None:
                    connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
            else:
                connection.execute(
                    text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                )
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Before pytest-xdist's own hook, which turns these marks into the groups it schedules by.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, tests that share something outside their databases run on one worker each:
    the reliability suite (private servers on fixed ports, process races) and the wheel build
    (setuptools writes `build/` and the egg-info into the source tree)."""
    for item in items:
        for folder, group in SERIAL_GROUPS.items():
            if folder in item.nodeid:
                item.add_marker(pytest.mark.xdist_group(group))


SERIAL_GROUPS = {"tests/reliability/": "reliability", "tests/e2e/test_wheel.py": "wheel"}


def dialect_param(name: str) -> object:
    marks = [getattr(pytest.mark, name)] if name in SERVER_ENV else []
    return pytest.param(name, marks=marks, id=name)


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """Lazily built, migrated engines, one per dialect, shared by the whole run."""
    start_mappers()
    built: dict[str, Engine] = {}

    def get(dialect: str) -> Engine:
        if dialect not in built:
            if dialect == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'memcore.db'}"
            else:
                url = server_url(dialect)
            engine = build_engine(Settings(url=url))
            _reset_schema(engine)
            migrate.upgrade(engine)
            built[dialect] = engine
        return built[dialect]

    yield _LazyEngines(get)
    for engine in built.values():
        engine.dispose()


class _LazyEngines(dict):
    def __init__(self, get: Callable[[str], Engine]) -> None:
        super().__init__()
        self._get = get

    def __missing__(self, dialect: str) -> Engine:
        return self._get(dialect)


def _reset_schema(engine: Engine) -> None:
    """Drop what an earlier run left, so every run starts from an empty, freshly migrated schema."""
    with engine.begin() as connection:
        for index in SEARCH_INDEXES:  # they depend on the tables (triggers, foreign keys)
            search.drop(connection, index)
    metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def sql_engine(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> Engine:
    """A migrated, empty database on each SQL dialect."""
    engine = engines[request.param]
    empty_tables(engine)
    return engine


UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=[dialect_param(a) for a in ADAPTERS])
def uow_factory(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> UowFactory:
    """Makes units of work sharing one empty store, for every adapter."""
    if request.param == "memory":
        store = InMemoryStore()
        return lambda: InMemoryUnitOfWork(store)
    engine = engines[request.param]
    empty_tables(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlAlchemyUnitOfWork(factory)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran on each adapter, so a missing dialect cannot pass unnoticed."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            params = getattr(report, "nodeid", "").rpartition("[")[2].rstrip("]").split("-")
            for adapter in set(params) & set(ADAPTERS):
                by_outcome = counts.setdefault(adapter, {})
                by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("tests per adapter")
        for adapter in ADAPTERS:
            line = ", ".join(f"{n} {o}" for o, n in sorted(counts.get(adapter, {}).items())) or "none"
            terminalreporter.write_line(f"{adapter}: {line}")
