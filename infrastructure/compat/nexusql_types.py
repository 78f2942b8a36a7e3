"""nexusql's value types, as its callers import them: `DatabaseType`, `ConnectionConfig`,
`QueryResult` and the two result factories. `DatabaseManager` is in nexusql_manager.py.
"""

import enum
from dataclasses import dataclass
from typing import Any

from memcore.domain.shared.errors import InvalidInput

__all__ = ["ConnectionConfig", "DatabaseType", "QueryResult", "create_error_result", "create_query_result"]

# URL scheme prefix -> database type; memcore adds `mariadb` (served as MYSQL) and `sqlite` paths.
_PREFIXES = (
    ("sqlite", "sqlite"),
    ("postgres", "postgresql"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("mssql", "mssql"),
    ("duckdb", "duckdb"),
)


class DatabaseType(enum.Enum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MSSQL = "mssql"
    DUCKDB = "duckdb"
    CLOUDFLARE_D1 = "cloudflare_d1"


class UnsupportedDatabaseURL(InvalidInput, ValueError):
    """A URL of no known database (a ValueError, as nexusql raised, and memcore's InvalidInput)."""


@dataclass
class ConnectionConfig:
    """Where to connect: the URL, and parts that override the URL's own when given."""

    database_type: DatabaseType
    database_url: str
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None
    database_name: str | None = None

    @classmethod
    def from_url(cls, database_url: str) -> "ConnectionConfig":
        if isinstance(database_url, str):
            for prefix, kind in _PREFIXES:
                if database_url.startswith(prefix):
                    return cls(database_type=DatabaseType(kind), database_url=database_url)
        # Never echo the URL: it may hold a password.
        raise UnsupportedDatabaseURL("Unsupported database URL: expected sqlite://, postgresql://, mysql:// …")


@dataclass
class QueryResult:
    """A statement's outcome: rows as dicts, their count, and the error when it failed."""

    success: bool
    data: list[dict[str, Any]]
    row_count: int
    error_message: str | None = None
    execution_time_ms: float | None = None

    def __post_init__(self) -> None:
        if self.data:
            self.row_count = len(self.data)

    def get_first_row(self) -> dict[str, Any] | None:
        return self.data[0] if self.data else None

    def get_column_values(self, column_name: str) -> list[Any]:
        return [row.get(column_name) for row in self.data if column_name in row]


def create_query_result(success: bool = True, data: list[dict[str, Any]] | None = None, **kwargs: Any) -> QueryResult:
    return QueryResult(success=success, data=data or [], row_count=len(data) if data else 0, **kwargs)


def create_error_result(error_message: str) -> QueryResult:
    return QueryResult(success=False, data=[], row_count=0, error_message=error_message)
