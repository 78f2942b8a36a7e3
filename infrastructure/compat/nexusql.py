"""The nexusql drop-in's public names: `DatabaseManager` and the types its callers import."""

from memcore.infrastructure.compat.nexusql_manager import DatabaseManager
from memcore.infrastructure.compat.nexusql_types import (
    ConnectionConfig,
    DatabaseType,
    QueryResult,
    create_error_result,
    create_query_result,
)

__all__ = [
    "ConnectionConfig",
    "DatabaseManager",
    "DatabaseType",
    "QueryResult",
    "create_error_result",
    "create_query_result",
]
