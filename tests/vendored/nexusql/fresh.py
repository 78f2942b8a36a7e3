"""Fresh, empty databases on the test servers, as nexusql's tests expect of SQLite.

Upstream's files open `sqlite://:memory:` (a new, empty database for every manager that connects)
or a temporary file (one database, shared by every manager opening that path). On PostgreSQL and
MariaDB the same is given by a namespace made for the purpose and dropped when the test ends: a
schema of the test database on PostgreSQL (the URL's `search_path` names it alone, so memcore's
own tables in `public` are out of sight), a database of its own on MariaDB. Both cost a few
milliseconds, against the seconds a `CREATE DATABASE` costs on PostgreSQL.
"""

import itertools
import os
import re

import sqlalchemy as sa
from sqlalchemy.engine import make_url

_PREFIX = "nexusql_"
_names = itertools.count(1)
_PID = re.compile(rf"{_PREFIX}(\d+)_\d+$")


def _running(pid: int) -> bool:
    """Whether the test run of that process id is still going (the servers are on loopback)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FreshDatabases:
    """Makes empty databases on one server (`new()`), and drops every one it made (`drop_all()`)."""

    def __init__(self, dialect: str, server_url: str) -> None:
        self.dialect = dialect
        self.url = make_url(server_url)
        # One kept connection makes them (a test connects 100 managers: 100 databases).
        self._admin = sa.create_engine(self.url, pool_size=1, max_overflow=4, isolation_level="AUTOCOMMIT")
        self._made: list[str] = []
        self._free: list[str] = []  # made, emptied, and not in use
        self._drop_leftovers()

    def _quote(self, name: str) -> str:
        return self._admin.dialect.identifier_preparer.quote(name)

    def _namespaces(self, connection: sa.Connection) -> list[str]:
        if self.dialect == "postgresql":
            sql = "SELECT nspname FROM pg_namespace WHERE nspname LIKE :like"
        else:
            sql = "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :like"
        like = self._name("%").replace("_", "\\_")
        return list(connection.execute(sa.text(sql), {"like": like}).scalars())

    def _name(self, suffix: object) -> str:
        if self.dialect == "postgresql":
            return f"{_PREFIX}{suffix}"
        return f"{self.url.database}_{_PREFIX}{suffix}"

    def _drop_leftovers(self) -> None:
        """Drop what an interrupted run of this database's tests left behind (a name carries the
        process id of its run; a run still going keeps its own)."""
        with self._admin.connect() as connection:
            for name in self._namespaces(connection):
                found = _PID.search(name)
                if found and not _running(int(found.group(1))):
                    self._drop(connection, name)

    def _drop(self, connection: sa.Connection, name: str) -> None:
        kind = "SCHEMA" if self.dialect == "postgresql" else "DATABASE"
        cascade = " CASCADE" if self.dialect == "postgresql" else ""
        connection.execute(sa.text(f"DROP {kind} IF EXISTS {self._quote(name)}{cascade}"))

    def new(self) -> str:
        """The URL of an empty database: one `release`d by its last user, or a new one."""
        if self._free:
            return self._url(self._free.pop())
        name = self._name(f"{os.getpid()}_{next(_names)}")
        with self._admin.connect() as connection:
            self._create(connection, name)
        self._made.append(name)
        return self._url(name)

    def _create(self, connection: sa.Connection, name: str) -> None:
        if self.dialect == "postgresql":
            connection.execute(sa.text(f"CREATE SCHEMA {self._quote(name)}"))
        else:
            charset = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            connection.execute(sa.text(f"CREATE DATABASE {self._quote(name)} {charset}"))

    def _url(self, name: str) -> str:
        if self.dialect == "postgresql":
            # A throwaway database need not wait for the disk at each commit (the files commit
            # row by row, 50,000 times in one test): what a commit does is otherwise unchanged.
            url = self.url.update_query_dict({"options": f"-csearch_path={name} -csynchronous_commit=off"})
        else:
            url = self.url.set(database=name)
        return url.render_as_string(hide_password=False)

    def release(self, url: str) -> None:
        """`url` (from `new()`) is no longer used: empty it, if anything is in it, for the next
        `new()`. A test connecting 100 in-memory managers one after the other then costs one
        database, not 100 (MariaDB's CREATE DATABASE syncs the disk)."""
        given = make_url(url)
        name = given.database if self.dialect != "postgresql" else given.query["options"].split("=")[1].split()[0]
        if name not in self._made or name in self._free:
            return
        if self.dialect == "postgresql":
            sql = "SELECT count(*) FROM pg_class WHERE relnamespace = CAST(:name AS regnamespace)"
        else:
            sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema = :name"
        with self._admin.connect() as connection:
            if connection.execute(sa.text(sql), {"name": name}).scalar():
                self._drop(connection, name)
                self._create(connection, name)
        self._free.append(name)

    def drop_all(self) -> None:
        """Drop every database `new()` made since the last call."""
        made, self._made, self._free = self._made, [], []
        with self._admin.connect() as connection:
            for name in made:
                self._drop(connection, name)

    def close(self) -> None:
        self.drop_all()
        self._admin.dispose()
