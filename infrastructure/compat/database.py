"""The raw-SQL API for services that write their own SQL: one `Database` (and its asyncio twin)
on SQLite, PostgreSQL and MySQL/MariaDB, with named parameters, pooling, real transactions and
SQL-file migrations (`db.migrate("migrations/")`).

`DatabaseManager` (and `ConnectionConfig`, `DatabaseType`, `QueryResult`) is nexusql's API over
the same `Database`, also importable from `memcore.compat.nexusql`.
"""

from memcore.infrastructure.compat.nexusql import ConnectionConfig, DatabaseManager, DatabaseType, QueryResult
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database

__all__ = ["AsyncDatabase", "ConnectionConfig", "Database", "DatabaseManager", "DatabaseType", "QueryResult"]
