"""The "sessions" workload: agent session memory through memcore, against the
OpenAI Agents SDK's own `SQLAlchemySession` and against the raw driver, on one database.

"Ours" is `AgentSession`, the framework-free core that `MemcoreSession` only adds the SDK's
settings coercion to. The `*_vs_sdk` phases run both sessions on the same event loop and
database, over 20 sessions: add_items one item at a time, ten at a time, and get_items(limit=50).
Their "raw" column is the SDK (the issue asks for at least 3x its throughput). The `*_vs_raw` phases compare the same
session with the DB-API driver doing memcore's statements by hand, in the same transactions (an
append is one autocommitted statement on PostgreSQL and MariaDB, as in memcore).
Needs the `openai-agents` extra.
"""

import asyncio
import json
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine

from memcore.domain.conversations.memory import approx_tokens, conversation_id
from memcore.domain.conversations.model import MAX_VERSION
from memcore.infrastructure.bench.phase import Phase, Target
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.compat.agent_session import AgentSession
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory
from memcore.infrastructure.compat.memory_plans import LIFTED
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase, async_url
from memcore.infrastructure.sqlalchemy.database import Database

DEFAULT_ROWS = 2_000
SESSIONS = 20
PREFIX = "bench-session-"
ITEM = {"role": "user", "content": "Plan my week: gym on Monday, dentist Wednesday ✨"}
SDK = "raw = the OpenAI Agents SDK's SQLAlchemySession on the same database"
THREE_TIMES = Target("pct_of_raw", 300)
# The SDK's tables, created here: its own DDL gives MySQL/MariaDB a VARCHAR without a length.
SDK_TABLES = (
    "CREATE TABLE IF NOT EXISTS agent_sessions (session_id VARCHAR(255) PRIMARY KEY, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS agent_messages (id {serial} PRIMARY KEY, session_id VARCHAR(255) NOT NULL "
    "REFERENCES agent_sessions (session_id) ON DELETE CASCADE, message_data TEXT NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE INDEX IF NOT EXISTS idx_agent_messages_session_time ON agent_messages (session_id, created_at)",
)


def _session(i: int) -> str:
    return f"{PREFIX}{i % SESSIONS}"


class SessionsWorkload(BenchWorkload):
    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, max(rows, SESSIONS))
        self.loop = asyncio.new_event_loop()

    def _open(self, stack: ExitStack) -> None:
        try:
            from agents.extensions.memory.sqlalchemy_session import SQLAlchemySession
        except ImportError as exc:
            raise ImportError("the sessions workload compares with the OpenAI Agents SDK: "
                              "pip install memcore[openai-agents]") from exc  # fmt: skip
        stack.callback(self.loop.close)
        super()._open(stack)
        run = self.loop.run_until_complete
        self.adb = AsyncDatabase(self.settings.url)
        stack.callback(lambda: run(self.adb.close()))
        self.db = Database(self.settings.url)
        stack.callback(self.db.close)
        self.seeder = SQLConversationMemory(self.db)
        self.ours = [AgentSession(_session(i), self.adb) for i in range(SESSIONS)]
        self._create_sdk_tables()
        engine = create_async_engine(async_url(self.settings.url))
        stack.callback(lambda: run(engine.dispose()))
        self.sdk = [SQLAlchemySession(_session(i), engine=engine) for i in range(SESSIONS)]
        self.on_sqlite = self.backend == "sqlite"
        self.auto = self._connection(stack, autocommit=True)  # for the one-statement appends
        self._raw_sql()

    def _create_sdk_tables(self) -> None:
        serial = {"sqlite": "INTEGER", "postgresql": "SERIAL"}.get(self.backend, "INTEGER AUTO_INCREMENT")
        self._run(*(sql.format(serial=serial) for sql in SDK_TABLES))

    def _raw_sql(self) -> None:
        m = self.mark
        self.sql_bump = (f"UPDATE conversations SET version = version + {m}, updated_at = {m} "
                         f"WHERE id = {m} AND version <= {m}")  # fmt: skip
        columns = "id, conversation_id, sender_type, content, role_metadata, created_at, sequence"
        self.sql_insert = f"INSERT INTO messages ({columns}) VALUES "
        self.sql_newest = (f"SELECT sender_type, content, role_metadata FROM messages "
                           f"WHERE conversation_id = {m} ORDER BY sequence DESC, id DESC LIMIT 50")  # fmt: skip

    def phases(self) -> Sequence[Phase]:
        run = self.loop.run_until_complete
        calls, batches, reads = self.rows, max(1, self.rows // 10), max(1, self.rows // 4)

        def vs_sdk(name: str, ops: int, work: Any, before: Any = self._clear, after: Any = self._stored) -> Phase:
            return Phase(name, ops, lambda: run(work(self.ours, ops)), lambda: run(work(self.sdk, ops)),
                         before=before, after=after, target=THREE_TIMES, note=SDK)  # fmt: skip

        return [
            vs_sdk("add_items_x1_vs_sdk", calls, _add(1)),
            vs_sdk("add_items_x10_vs_sdk", batches, _add(10)),
            vs_sdk("get_items_50_vs_sdk", reads, _get, before=self._fill_both, after=lambda: None),
            Phase("add_items_x1_vs_raw", calls, lambda: run(_add(1)(self.ours, calls)), lambda: self._raw_add(1, calls),
                  before=self._seed, after=self._stored),
            Phase("add_items_x10_vs_raw", batches, lambda: run(_add(10)(self.ours, batches)),
                  lambda: self._raw_add(10, batches), before=self._seed, after=self._stored),
            Phase("get_items_50_vs_raw", reads, lambda: run(_get(self.ours, reads)), lambda: self._raw_get(reads),
                  before=self._fill_ours),
        ]  # fmt: skip

    # -- untimed set-up

    def _clear(self) -> None:
        like = f"'{PREFIX}%'"
        ours = f"SELECT id FROM conversations WHERE session_id LIKE {like}"
        self._run(
            f"DELETE FROM messages WHERE conversation_id IN ({ours})",
            f"DELETE FROM conversations WHERE session_id LIKE {like}",
            f"DELETE FROM agent_messages WHERE session_id LIKE {like}",
            f"DELETE FROM agent_sessions WHERE session_id LIKE {like}",
        )

    def _stored(self) -> int:
        ours = self._scalar(
            "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            f"WHERE c.session_id LIKE '{PREFIX}%'"
        )
        return ours + self._scalar(f"SELECT COUNT(*) FROM agent_messages WHERE session_id LIKE '{PREFIX}%'")

    def _seed(self) -> None:
        """One item in every session, so both sides of a *_vs_raw phase only append."""
        self._clear()
        for i in range(SESSIONS):
            self.seeder.add_items(_session(i), [ITEM])

    def _fill_ours(self) -> None:
        self._clear()
        for i in range(SESSIONS):
            self.seeder.add_items(_session(i), [ITEM] * 60)

    def _fill_both(self) -> None:
        self._fill_ours()
        self.loop.run_until_complete(_add(60)(self.sdk, SESSIONS))

    # -- the raw driver

    def _raw_add(self, size: int, calls: int) -> int:
        """memcore's append statements by hand: one autocommitted statement on PostgreSQL (the
        UPDATE in a WITH) and MariaDB (the INSERT the trigger numbers), a transaction elsewhere."""
        if self.backend == "postgresql":
            return self._raw_add_at_once(size, calls, self._pg_append(size))
        if self.dialect == "mariadb":
            return self._raw_add_at_once(size, calls, self._mariadb_append(size))
        conn, cursor, m = self.conn, self.conn.cursor(), self.mark
        insert = self.sql_insert + ", ".join([f"({', '.join([m] * 7)})"] * size)
        meta = self._meta()
        for i in range(calls):
            c = conversation_id(_session(i))
            stamp = self._stamp()
            if self.on_sqlite:
                cursor.execute("BEGIN")
            cursor.execute(self.sql_bump + " RETURNING version, status", (size, stamp, c, MAX_VERSION - size))
            (version, _status) = cursor.fetchone()
            params: list[Any] = []
            for j in range(size):
                params += [str(uuid.uuid4()), c, "user", ITEM["content"], meta, stamp, version - size + j]
            cursor.execute(insert, params)
            conn.commit()
        cursor.close()
        return calls

    def _raw_add_at_once(self, size: int, calls: int, sql: str) -> int:
        cursor, meta, on_pg = self.auto.cursor(), self._meta(), self.backend == "postgresql"
        for i in range(calls):
            c, stamp = conversation_id(_session(i)), self._stamp()
            params: list[Any] = [size, stamp, c, MAX_VERSION - size, c, stamp, size] if on_pg else []
            for _ in range(size):
                params += [str(uuid.uuid4()), "user", ITEM["content"], meta] if on_pg else [
                    str(uuid.uuid4()), c, "user", ITEM["content"], meta, stamp]  # fmt: skip
            cursor.execute(sql, params)
            if len(cursor.fetchall()) != size:
                raise AssertionError("the raw append wrote a different number of rows")
        cursor.close()
        return calls

    def _pg_append(self, size: int) -> str:
        values = ", ".join(f"(%s, %s, %s, %s, {k})" for k in range(size))
        return (
            "WITH bumped AS (UPDATE conversations SET version = version + %s::integer, updated_at = %s "
            "WHERE id = %s AND status = 'active' AND version <= %s RETURNING version) "
            "INSERT INTO messages (id, conversation_id, sender_type, content, role_metadata, created_at, sequence) "
            "SELECT v.id, %s, v.sender_type, v.content, v.role_metadata, %s::timestamp, "
            "b.version - %s::integer + v.k FROM bumped b CROSS JOIN "
            f"(VALUES {values}) AS v (id, sender_type, content, role_metadata, k) RETURNING id, sequence"
        )

    def _mariadb_append(self, size: int) -> str:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, NULL)"] * size)
        return f"{self.sql_insert}{values} RETURNING id, sequence"

    def _meta(self) -> str:
        payload = {**ITEM, "content": None}  # memory_plans stores an item's text once (LIFTED)
        memory = {"role": "user", "tokens": approx_tokens(ITEM["content"]), "payload": payload, LIFTED: 1}
        return json.dumps({"memory": memory})

    def _stamp(self) -> Any:
        now = datetime.now(UTC).replace(tzinfo=None)
        return now.isoformat(" ", "microseconds") if self.on_sqlite else now

    def _raw_get(self, reads: int) -> int:
        """memcore's lean read by hand: the same SELECT, autocommitted (no transaction), each row's JSON decoded."""
        cursor, total = self.auto.cursor(), 0
        for i in range(reads):
            cursor.execute(self.sql_newest, (conversation_id(_session(i)),))
            rows = cursor.fetchall()
            for row in reversed(rows):
                memory = json.loads(row[2])["memory"]
                if LIFTED in memory:
                    memory["payload"]["content"] = row[1]
                total += 1
        cursor.close()
        return total


def _add(size: int) -> Any:
    async def add(sessions: list[Any], calls: int) -> int:
        for i in range(calls):
            await sessions[i % SESSIONS].add_items([ITEM] * size)
        return calls

    return add


async def _get(sessions: list[Any], reads: int) -> int:
    total = 0
    for i in range(reads):
        total += len(await sessions[i % SESSIONS].get_items(limit=50))
    return total
