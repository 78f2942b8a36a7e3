"""Engine set-up per dialect: drivers, SQLite pragmas, MySQL charset and strict mode, timeouts."""

import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import Settings, mask_url
from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_waiting

# A bare dialect name picks the driver memcore ships with.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


def normalize_url(raw: str | URL) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InvalidInput(f"not a database URL: {mask_url(raw)}") from None
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    if url.get_backend_name() in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def engine_options(settings: Settings, backend: str, asyncio: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Engine keyword arguments and driver connect arguments from the settings, sync or asyncio."""
    kwargs: dict[str, Any] = {"echo": settings.echo, "pool_pre_ping": settings.pool_pre_ping}
    if settings.isolation_level:
        kwargs["isolation_level"] = settings.isolation_level
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        connect_args["timeout"] = settings.busy_timeout_ms / 1000
        return kwargs, connect_args
    kwargs.update(pool_size=settings.pool_size, max_overflow=settings.max_overflow, pool_recycle=3600)
    if backend == "postgresql" and asyncio:  # asyncpg names these differently from psycopg
        connect_args["timeout"] = 10
        if settings.statement_timeout_ms:
            connect_args["server_settings"] = {"statement_timeout": str(settings.statement_timeout_ms)}
    else:
        connect_args["connect_timeout"] = 10
        if backend == "postgresql" and settings.statement_timeout_ms:
            connect_args["options"] = f"-c statement_timeout={settings.statement_timeout_ms}"
    return kwargs, connect_args


def build_engine(settings: Settings) -> Engine:
    """An engine configured the same way for every entrypoint."""
    url = normalize_url(settings.url)
    backend = url.get_backend_name()
    kwargs, connect_args = engine_options(settings, backend)
    in_transaction = _IN_TRANSACTION.get(url.get_driver_name())
    if in_transaction is not None:
        kwargs["pool_reset_on_return"] = None  # _reset_if_open does it
    try:
        engine = create_engine(url, connect_args=connect_args, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise InvalidInput(f"cannot use database URL {mask_url(url)}: {exc}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(settings))
        event.listen(engine, "begin", _sqlite_begin)
    elif backend in ("mysql", "mariadb"):
        event.listen(engine, "connect", _mysql_session(settings))
    if in_transaction is not None:
        event.listen(engine, "reset", _reset_if_open(in_transaction))
    if not settings.lazy_connect:
        from memcore.infrastructure.sqlalchemy.errors import translating

        with translating(), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    return engine


# The execution option that marks a unit of work's connection: on SQLite it begins IMMEDIATE.
WRITER = "memcore_writer"


def sqlite_begin_sql(writer: bool) -> str:
    """How a SQLite transaction begins. A writer takes the write lock up front, waiting up to the
    busy timeout for it: a deferred transaction that read first and then writes gets SQLITE_BUSY at
    once (BUSY_SNAPSHOT in WAL) when another writer went first, without waiting. Readers begin
    deferred, so in WAL they never wait for a writer."""
    return "BEGIN IMMEDIATE" if writer else "BEGIN"


def _sqlite_begin(connection: Any) -> None:
    # pysqlite would only BEGIN before the first write, so reads ran outside the transaction and
    # a concurrent commit could be silently overwritten. Beginning here makes every transaction
    # one snapshot. A unit of work touching only conversations begins on the DB-API connection
    # itself (see SqlAlchemyUnitOfWork); a session joining it later finds the transaction open.
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        # A locked BEGIN wrote nothing, so it is sent again; a final failure is SQLAlchemy's, translated.
        sql = sqlite_begin_sql(bool(connection.get_execution_options().get(WRITER)))
        begin_waiting(lambda: connection.exec_driver_sql(sql), driver)


def invalidate_pool(engine: Engine, fairy: Any, exc: BaseException) -> None:
    """What SQLAlchemy does when a statement finds its connection gone: `fairy` is closed and never
    pooled again, and every connection the pool made before now is renewed on its next checkout
    (a server restart broke them all), so one failed call is all a restart costs."""
    with contextlib.suppress(Exception):
        engine.pool._invalidate(fairy, exc)  # the pool's own soft invalidation
    with contextlib.suppress(Exception):
        if fairy.is_valid:
            fairy.invalidate(exc)


def _reset_if_open(in_transaction: Callable[[Any], bool]) -> Any:
    """The pool's rollback when a connection comes back, sent only if a transaction is open.

    The pool's default rolls back every connection it gets back, even just after a commit: a
    round trip on PyMySQL, a call on sqlite3. Both drivers know whether a transaction is open
    (PyMySQL keeps the status flags of the server's last reply), so only open work is rolled back.
    """

    def reset(dbapi_connection: Any, record: Any, state: Any) -> None:
        if not state.terminate_only and in_transaction(dbapi_connection):
            dbapi_connection.rollback()

    return reset


_SERVER_STATUS_IN_TRANS = 1  # pymysql.constants.SERVER_STATUS, as the MySQL protocol defines it
_IN_TRANSACTION: dict[str, Callable[[Any], bool]] = {
    "pymysql": lambda conn: conn.server_status is None or bool(conn.server_status & _SERVER_STATUS_IN_TRANS),
    "pysqlite": lambda conn: conn.in_transaction,
}


def _sqlite_pragmas(settings: Settings) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"busy_timeout={settings.busy_timeout_ms}",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return on_connect


def _mysql_session(settings: Settings) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Strict mode refuses over-long or invalid values instead of silently truncating them.
        cursor.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'")
        cursor.execute("SET SESSION time_zone = '+00:00'")
        if settings.statement_timeout_ms:
            # An asyncio driver's connection comes wrapped in SQLAlchemy's adapter.
            driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
            if "MariaDB" in driver.get_server_info():
                cursor.execute(f"SET SESSION max_statement_time = {settings.statement_timeout_ms / 1000:.3f}")
            else:
                cursor.execute(f"SET SESSION max_execution_time = {int(settings.statement_timeout_ms)}")
        cursor.close()

    return on_connect
