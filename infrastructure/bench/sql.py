"""The "sql" workload: the raw-SQL `Database` and `AsyncDatabase` against their drivers used by hand.

Phases, sync then asyncio: a bulk insert of every row (`execute_many`), point reads by primary key
(`fetch_one`) and reads of 100-row groups (`fetch_all`). The raw side is the DB-API driver (sqlite3,
psycopg, PyMySQL) or the asyncio driver (aiosqlite, asyncpg, asyncmy), on a connection set up
like memcore's (same pragmas, charset, session, autocommit) and doing the same work: each bulk
insert in one explicit transaction, each read a lone statement. It gets its rows as tuples, the
leanest the driver offers; memcore builds the dicts its API promises. The workload uses its own
table, `bench_sql_items`, created at the start and dropped at the end.
"""

import asyncio
import random
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from sqlalchemy.util import greenlet_spawn

from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase, build_async_engine
from memcore.infrastructure.sqlalchemy.database import Database

DEFAULT_ROWS = 100_000
GROUP = 100  # rows per fetch_all
TABLE = "bench_sql_items"
CREATE = (
    f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name VARCHAR(64) NOT NULL, "
    "qty INTEGER NOT NULL, price DOUBLE PRECISION NOT NULL)"
)
INSERT = f"INSERT INTO {TABLE} (id, grp, name, qty, price) VALUES (:id, :grp, :name, :qty, :price)"
GET = f"SELECT id, grp, name, qty, price FROM {TABLE} WHERE id = :id"
GROUP_SQL = f"SELECT id, grp, name, qty, price FROM {TABLE} WHERE grp = :grp ORDER BY id"


def _positional(sql: str, mark: str) -> str:
    """The statement with the driver's placeholders, numbered in order of appearance for `$n`."""
    names = sorted(("id", "grp", "name", "qty", "price"), key=lambda name: sql.find(f":{name}"))
    number = 0
    for name in names:
        if f":{name}" in sql:
            number += 1
            sql = sql.replace(f":{name}", mark.format(number))
    return sql


class SqlWorkload(BenchWorkload):
    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        groups = max(1, rows // GROUP)
        self.items = [
            {"id": i, "grp": i % groups, "name": f"bench-item-{i}", "qty": i % 97, "price": (i % 1000) / 8}
            for i in range(rows)
        ]
        self.tuples = [(r["id"], r["grp"], r["name"], r["qty"], r["price"]) for r in self.items]
        picker = random.Random(6)
        self.keys = [picker.randrange(rows) for _ in range(10_000)]
        self.groups = [picker.randrange(groups) for _ in range(1_000)]
        self.loop = asyncio.new_event_loop()

    def _open(self, stack: ExitStack) -> None:
        """memcore's Database and AsyncDatabase, not its container; the raw side's connections, sync and asyncio."""
        stack.callback(self.loop.close)
        settings = Settings.from_env().with_url(self.url)
        options = {"pool_size": settings.pool_size, "max_overflow": settings.max_overflow,
                   "busy_timeout_ms": settings.busy_timeout_ms}  # fmt: skip
        self.db = Database(settings.url, **options)
        stack.callback(self.db.close)
        self.adb = AsyncDatabase(settings.url, **options)
        stack.callback(lambda: self.loop.run_until_complete(self.adb.close()))
        self._open_raw_engine(stack, settings)
        self.conn = self._connection(stack, autocommit=True)
        self.async_engine = build_async_engine(settings)
        stack.callback(lambda: self.loop.run_until_complete(self.async_engine.dispose()))
        apooled = self.loop.run_until_complete(greenlet_spawn(self.async_engine.sync_engine.raw_connection))
        stack.callback(lambda: self.loop.run_until_complete(greenlet_spawn(apooled.close)))
        self.aconn = apooled.driver_connection
        if hasattr(self.aconn, "row_factory"):
            self.aconn.row_factory = None  # the plain driver: tuples
        self._create_table()
        stack.callback(lambda: self.db.execute(f"DROP TABLE {TABLE}"))
        self.amark = {"aiosqlite": "?", "asyncpg": "${}", "asyncmy": "%s"}[self.async_engine.dialect.driver]

    def phases(self) -> Sequence[Phase]:
        run = self.loop.run_until_complete
        n = self.rows
        return [
            Phase("execute_many", n, self._ours_insert, self._raw_insert, before=self._clear, after=self._stored),
            Phase("fetch_one", len(self.keys), self._ours_get, self._raw_get),
            Phase("fetch_all", len(self.groups), self._ours_groups, self._raw_groups),
            Phase(
                "async_execute_many",
                n,
                lambda: run(self._ours_async_insert()),
                lambda: run(self._raw_async_insert()),
                before=self._clear,
                after=self._stored,
            ),
            Phase(
                "async_fetch_one",
                len(self.keys),
                lambda: run(self._ours_async_get()),
                lambda: run(self._raw_async_get()),
            ),
            Phase(
                "async_fetch_all",
                len(self.groups),
                lambda: run(self._ours_async_groups()),
                lambda: run(self._raw_async_groups()),
            ),
        ]

    # -- untimed set-up and checks

    def _create_table(self) -> None:
        if self.db.table_exists(TABLE):
            self._refuse_foreign_rows(
                {"rows": f"{TABLE} WHERE name NOT LIKE 'bench-item-%'"}, f"(and drops) its table {TABLE}"
            )
            self.db.execute(f"DROP TABLE {TABLE}")
        self.db.execute(CREATE)
        self.db.execute(f"CREATE INDEX ix_{TABLE}_grp ON {TABLE} (grp)")

    def _clear(self) -> None:
        self.db.execute(f"DELETE FROM {TABLE}")

    def _stored(self) -> tuple[Any, ...]:
        return self.db.fetch_one(f"SELECT COUNT(*) AS n, SUM(qty) AS qty, MAX(name) AS name FROM {TABLE}")  # type: ignore[return-value]

    # -- sync

    def _ours_insert(self) -> int:
        return self.db.execute_many(INSERT, self.items)

    def _raw_insert(self) -> int:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(_positional(INSERT, self.mark), self.tuples)
        cursor.execute("COMMIT")
        cursor.close()
        return len(self.tuples)

    def _ours_get(self) -> int:
        fetch_one = self.db.fetch_one
        return sum(fetch_one(GET, {"id": key})["qty"] for key in self.keys)  # type: ignore[index]

    def _raw_get(self) -> int:
        cursor, sql, total = self.conn.cursor(), _positional(GET, self.mark), 0
        for key in self.keys:
            cursor.execute(sql, (key,))
            total += cursor.fetchone()[3]
        cursor.close()
        return total

    def _ours_groups(self) -> int:
        fetch_all = self.db.fetch_all
        return sum(row["qty"] for grp in self.groups for row in fetch_all(GROUP_SQL, {"grp": grp}))

    def _raw_groups(self) -> int:
        cursor, sql, total = self.conn.cursor(), _positional(GROUP_SQL, self.mark), 0
        for grp in self.groups:
            cursor.execute(sql, (grp,))
            total += sum(row[3] for row in cursor.fetchall())
        cursor.close()
        return total

    # -- asyncio

    async def _ours_async_insert(self) -> int:
        return await self.adb.execute_many(INSERT, self.items)

    async def _raw_async_insert(self) -> int:
        sql, conn = _positional(INSERT, self.amark), self.aconn
        if self.amark == "${}":
            async with conn.transaction():
                await conn.executemany(sql, self.tuples)
        elif self.amark == "?":
            await conn.execute("BEGIN")
            await conn.executemany(sql, self.tuples)
            await conn.execute("COMMIT")
        else:
            async with conn.cursor() as cursor:
                await cursor.execute("START TRANSACTION")
                await cursor.executemany(sql, self.tuples)
                await cursor.execute("COMMIT")
        return len(self.tuples)

    async def _ours_async_get(self) -> int:
        fetch_one = self.adb.fetch_one
        return sum([(await fetch_one(GET, {"id": key}))["qty"] for key in self.keys])  # type: ignore[index]

    async def _raw_async_get(self) -> int:
        sql, conn, total = _positional(GET, self.amark), self.aconn, 0
        if self.amark == "${}":
            for key in self.keys:
                total += (await conn.fetchrow(sql, key))[3]
        elif self.amark == "?":
            for key in self.keys:
                async with conn.execute(sql, (key,)) as cursor:
                    total += (await cursor.fetchone())[3]
        else:
            async with conn.cursor() as cursor:
                for key in self.keys:
                    await cursor.execute(sql, (key,))
                    total += (await cursor.fetchone())[3]
        return total

    async def _ours_async_groups(self) -> int:
        fetch_all = self.adb.fetch_all
        return sum([row["qty"] for grp in self.groups for row in await fetch_all(GROUP_SQL, {"grp": grp})])

    async def _raw_async_groups(self) -> int:
        sql, conn, total = _positional(GROUP_SQL, self.amark), self.aconn, 0
        if self.amark == "${}":
            for grp in self.groups:
                total += sum(row[3] for row in await conn.fetch(sql, grp))
        elif self.amark == "?":
            for grp in self.groups:
                total += sum(row[3] for row in await conn.execute_fetchall(sql, (grp,)))
        else:
            async with conn.cursor() as cursor:
                for grp in self.groups:
                    await cursor.execute(sql, (grp,))
                    total += sum(row[3] for row in await cursor.fetchall())
        return total
