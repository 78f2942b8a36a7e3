"""nexusql's `DatabaseManager`, over memcore's raw-SQL `Database`.

    db = DatabaseManager("postgresql://app@db/app")      # or a ConnectionConfig
    db.connect()                                          # True, or False (logged) when it cannot
    db.execute("INSERT INTO t (name) VALUES (:name)", {"name": "Ann"})   # [] ; a SELECT gives rows
    db.fetch_one("SELECT * FROM t WHERE name = :name", {"name": "Ann"})  # a dict, or None

As in nexusql: `:name` parameters (names the SQL does not use are ignored), PostgreSQL's DDL words
rewritten per dialect (nexusql_sql.py), each statement committed on its own unless the caller
executed BEGIN / START TRANSACTION (then COMMIT or ROLLBACK ends it), `fetch_one`/`fetch_all`/
`table_exists` answering None / [] / False instead of raising, `execute_script` answering a
`QueryResult`. Unlike nexusql it also runs on MariaDB, and a failing statement raises memcore's
error (`InvalidInput`, `AlreadyExists`, …) instead of the driver's.
"""

import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import make_url

from memcore.domain.shared.errors import MemcoreError
from memcore.infrastructure.compat.nexusql_sql import index_table, mysql_index_prefixes, translate
from memcore.infrastructure.compat.nexusql_types import ConnectionConfig, DatabaseType, QueryResult
from memcore.infrastructure.settings import mask_url
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.raw_sql import prepare
from memcore.infrastructure.sqlalchemy.sql_text import split_statements

__all__ = ["DatabaseManager"]

logger = logging.getLogger(__name__)

_ROWS = ("SELECT", "SHOW", "DESCRIBE", "WITH", "PRAGMA", "EXPLAIN", "VALUES")
_BEGIN = {"BEGIN", "BEGIN TRANSACTION", "START TRANSACTION"}
_COMMIT = {"COMMIT", "COMMIT TRANSACTION", "END", "END TRANSACTION"}
_ROLLBACK = {"ROLLBACK", "ROLLBACK TRANSACTION"}
_SERVERS = {DatabaseType.POSTGRESQL: "postgresql", DatabaseType.MYSQL: "mysql"}


def _nexusql_sql_mode(dbapi_connection: Any, record: Any) -> None:
    """MySQL/MariaDB, as nexusql's callers' SQL expects: an id given as 0 is stored as 0, as SQLite
    and PostgreSQL store it, instead of taking the next AUTO_INCREMENT value (the drop-in's
    `INTEGER PRIMARY KEY` auto-increments); and a GROUP BY may leave out columns that depend on
    the grouped key, as SQLite, PostgreSQL and the server's default mode (nexusql's) allow."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT @@SESSION.sql_mode")
    modes = [mode for mode in cursor.fetchone()[0].split(",") if mode and mode != "ONLY_FULL_GROUP_BY"]
    cursor.execute("SET SESSION sql_mode = %s", (",".join([*modes, "NO_AUTO_VALUE_ON_ZERO"]),))
    cursor.close()


class _Rollback(Exception):
    """Thrown into an open transaction to roll it back."""


def memcore_url(config: ConnectionConfig) -> str:
    """The URL memcore's Database takes for a nexusql configuration (parts override the URL's)."""
    raw = config.database_url
    if config.database_type is DatabaseType.SQLITE:
        path = raw.split("://", 1)[1] if "://" in raw else raw
        path = path[1:] if path.startswith("/") else path
        if path in ("", ":memory:"):
            return "sqlite://"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    backend = _SERVERS[config.database_type]
    url = make_url(raw)
    driver = url.drivername.partition("+")[2]
    url = url.set(drivername=f"{backend}+{driver}" if driver else backend)
    parts = {"host": config.host, "port": config.port, "username": config.username, "password": config.password}
    url = url.set(**{k: v for k, v in parts.items() if v is not None})
    if config.database_name:
        url = url.set(database=config.database_name)
    return url.render_as_string(hide_password=False)


class DatabaseManager:
    """nexusql's DatabaseManager; see the module docstring."""

    def __init__(self, database_url_or_config: Any) -> None:
        if isinstance(database_url_or_config, ConnectionConfig):
            self.config = database_url_or_config
            self.database_url = database_url_or_config.database_url
        else:
            self.database_url = database_url_or_config
            self.config = ConnectionConfig.from_url(database_url_or_config)
        self._db: Database | None = None
        self._tx: AbstractContextManager[None] | None = None

    def __repr__(self) -> str:
        return f"DatabaseManager({mask_url(self.database_url)!r})"

    # -- memcore additions

    @property
    def database(self) -> Database:
        """memcore's Database under this manager (connected)."""
        return self._connected()

    @property
    def dialect(self) -> str | None:
        """sqlite, postgresql, mysql or mariadb once connected, else None."""
        return None if self._db is None else self._db.dialect

    # -- connection

    def connect(self) -> bool:
        """Connect (again, if already connected: nothing to do); False, logged, when it cannot."""
        if self._db is not None:
            return True
        if self.config.database_type not in (DatabaseType.SQLITE, *_SERVERS):
            logger.error("Database type %s is not supported by memcore", self.config.database_type)
            return False
        try:
            db = Database(memcore_url(self.config), lazy_connect=True)
            if db.engine.dialect.name == "mysql":  # before its first connection (lazy)
                event.listen(db.engine, "connect", _nexusql_sql_mode)
            self._db = db
        except Exception as exc:  # nexusql answers False, whatever the cause
            logger.error("Failed to connect to database %s: %s", mask_url(self.database_url), exc)
            return False
        return True

    def disconnect(self) -> None:
        if self._tx is not None:
            self._end(rollback=True)
        if self._db is not None:
            self._db.close()
            self._db = None

    async def close(self) -> None:
        self.disconnect()

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.disconnect()

    async def initialize(self, apply_schema: bool = True, app_migration_paths: list[str] | None = None) -> bool:
        """Connect, then (when `apply_schema`) migrate memcore's schema and apply each directory's
        `V<n>__<name>.sql` files; False, logged, on any failure."""
        if not self.connect():
            return False
        if not apply_schema:
            return True
        db = self._connected()
        try:
            migrate.upgrade(db.engine)
            for directory in app_migration_paths or []:
                if not Path(directory).exists():
                    logger.warning("App migration path does not exist: %s", directory)
                    continue
                db.migrate(directory)
        except Exception as exc:
            logger.error("Migration execution failed: %s", exc)
            return False
        return True

    # -- statements

    def _connected(self) -> Database:
        if self._db is None:
            raise RuntimeError("Database not connected")
        return self._db

    def _prepared(self, query: str, params: Any) -> tuple[str, dict[str, Any] | None]:
        """The dialect's SQL, and the parameters it names (nexusql ignores the others)."""
        db = self._connected()
        sql = translate(query, db.dialect)
        table = index_table(sql) if db.dialect in ("mysql", "mariadb") else None
        if table is not None:
            sql = mysql_index_prefixes(sql, self._column_types(table))
        if not params:
            return sql, None
        if not isinstance(params, dict):
            return sql, params  # refused by the Database with InvalidInput
        names = prepare(sql, *db.paramstyle).names
        return sql, {name: value for name, value in params.items() if name in names}

    def _column_types(self, table: str) -> dict[str, tuple[str, int | None]]:
        """MySQL/MariaDB: each column of `table` in this database, with its type and length."""
        rows = self._connected().fetch_all(
            "SELECT column_name AS name, data_type AS kind, character_maximum_length AS length"
            " FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = :table",
            {"table": table},
        )
        return {row["name"].lower(): (row["kind"].lower(), row["length"]) for row in rows}

    def execute(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one statement: a query's rows as dicts, else []. Raises memcore's error on failure."""
        db = self._connected()
        word = " ".join(query.strip().rstrip(";").upper().split())
        if word in _BEGIN:
            if self._tx is None:
                self._tx = db.transaction()
                self._tx.__enter__()
            return []
        if word in _COMMIT or word in _ROLLBACK:
            if self._tx is not None:
                self._end(rollback=word in _ROLLBACK)
            return []
        sql, values = self._prepared(query, params)
        try:
            if word.startswith(_ROWS) or " RETURNING " in f" {word} ":
                return db.fetch_all(sql, values)
            db.execute(sql, values)
            return []
        except MemcoreError:
            if self._tx is not None:  # as nexusql: the failure rolls the open transaction back
                self._end(rollback=True)
                self._tx = db.transaction()
                self._tx.__enter__()
            raise

    def _end(self, rollback: bool) -> None:
        tx, self._tx = self._tx, None
        if tx is None:
            return
        if rollback:
            tx.__exit__(_Rollback, _Rollback(), None)
        else:
            tx.__exit__(None, None, None)

    async def execute_async(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.execute(query, params)

    def fetch_one(self, query: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row, or None (also when the query fails: logged, as nexusql does)."""
        try:
            return self._connected().fetch_one(*self._prepared(query, params))
        except (MemcoreError, RuntimeError) as exc:
            logger.error("fetch_one failed: %s", exc)
            return None

    def fetch_all(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every row, or [] (also when the query fails: logged, as nexusql does)."""
        try:
            return self._connected().fetch_all(*self._prepared(query, params))
        except (MemcoreError, RuntimeError) as exc:
            logger.error("fetch_all failed: %s", exc)
            return []

    def create_table(self, table_name: str, schema: str) -> None:
        self.execute(f"CREATE TABLE IF NOT EXISTS {table_name} ({schema})")

    def table_exists(self, table_name: str) -> bool:
        try:
            return self._connected().table_exists(table_name)
        except (MemcoreError, RuntimeError) as exc:
            logger.error("table_exists failed: %s", exc)
            return False

    async def execute_script(self, script: str) -> QueryResult:
        """Run a script's statements in order; a `QueryResult` (success False with the error, never
        raised). Outside a caller's transaction the script is one transaction of its own, so a
        failing statement leaves nothing of the script behind (MySQL/MariaDB keep what DDL ran)."""
        try:
            db = self._connected()
            statements = split_statements(script, db.dialect)
            own = self._tx is None and not any(
                " ".join(s.upper().split()) in _BEGIN | _COMMIT | _ROLLBACK for s in statements
            )
            if own:
                self.execute("BEGIN")
            try:
                for statement in statements:
                    self.execute(statement)
            except BaseException:
                if own:
                    self._end(rollback=True)
                raise
            if own:
                self._end(rollback=False)
        except (MemcoreError, RuntimeError) as exc:
            logger.error("Script execution failed: %s", exc)
            return QueryResult(success=False, data=[], row_count=0, error_message=str(exc))
        return QueryResult(success=True, data=[], row_count=0)
