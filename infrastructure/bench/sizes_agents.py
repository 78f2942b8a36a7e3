"""The sized sessions workload (see sizes.py): agent session memory at `rows` stored items.

`rows` items in sessions of 100, bulk-loaded by the raw driver in 50,000-row transactions: one
session is written through memcore first, and its conversation and message rows are the template
every bulk row copies (ids, session and sequence changed), so the bulk rows are what memcore
writes. Timed through `AgentSession` (the Agents SDK drop-in's core): add one item, read 50.
"""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from memcore.domain.conversations.memory import conversation_id
from memcore.infrastructure.bench.sizes import CHUNK, OPS, SizedWorkload
from memcore.infrastructure.bench.sizes_more import Chunks, Operations
from memcore.infrastructure.compat.agent_session import AgentSession
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database

PREFIX = "bench-sized-session-"
ITEM = {"role": "user", "content": "Plan my week: gym on Monday, dentist Wednesday"}
TEMPLATE = f"{PREFIX}template"


def _session(i: int) -> str:
    return f"{PREFIX}{i}"


def template_rows(workload: SizedWorkload, table: str, where: str) -> tuple[list[str], list[Any]]:
    """The column names of `table` and every row matching `where`, read raw."""
    cursor = workload.conn.cursor()
    cursor.execute(f"SELECT * FROM {table} WHERE {where}")
    columns = [d[0] for d in cursor.description]
    rows = [list(row) for row in cursor.fetchall()]
    cursor.close()
    workload.conn.rollback()
    return columns, rows


class SessionsAtSize(SizedWorkload):
    """`rows` items over rows/100 sessions: add one item to a session, read a session's newest 50."""

    table = "messages"
    PER_SESSION = 100

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.loop = asyncio.new_event_loop()
        stack.callback(self.loop.close)
        self.db = Database(self.settings.url)
        stack.callback(self.db.close)
        self.adb = AsyncDatabase(self.settings.url)
        stack.callback(lambda: self.loop.run_until_complete(self.adb.close()))

    @property
    def sessions(self) -> int:
        return max(1, -(-self.rows // self.PER_SESSION))

    def _clear(self) -> None:
        like = f"'{PREFIX}%'"
        ours = f"SELECT id FROM conversations WHERE session_id LIKE {like}"
        self._run(f"DELETE FROM messages WHERE conversation_id IN ({ours})",
                  f"DELETE FROM conversations WHERE session_id LIKE {like}")  # fmt: skip

    def load(self) -> float:
        self._clear()
        SQLConversationMemory(self.db).add_items(TEMPLATE, [ITEM])
        where = f"id = '{conversation_id(TEMPLATE)}'"
        self.conversation = template_rows(self, "conversations", where)
        self.message = template_rows(self, "messages", f"conversation_id = '{conversation_id(TEMPLATE)}'")
        self._clear()
        return self._load_rows()

    def _load_rows(self) -> float:
        """SizedWorkload.load without its DELETE of every message (the bench's sessions only)."""
        import time

        start = time.perf_counter()
        self._write_chunks()
        self._analyze("conversations")
        self._analyze("messages")
        return time.perf_counter() - start

    def _insert(self, table: str, columns: list[str]) -> str:
        quote = self.raw_engine.dialect.identifier_preparer.quote
        return f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES ({self._marks(len(columns))})"

    def _chunks(self) -> Chunks:
        (c_cols, [c_row]), (m_cols, [m_row]) = self.conversation, self.message
        c_at = {name: n for n, name in enumerate(c_cols)}
        m_at = {name: n for n, name in enumerate(m_cols)}
        first_sequence, first_version = m_row[m_at["sequence"]], c_row[c_at["version"]]
        per = self.PER_SESSION

        def conversations() -> Iterator[list[Any]]:
            for s in range(self.sessions):
                row, held = list(c_row), min(per, self.rows - s * per)
                row[c_at["id"]], row[c_at["session_id"]] = conversation_id(_session(s)), _session(s)
                row[c_at["version"]] = first_version + held - 1
                yield row

        for chunk in _batched(conversations()):
            yield self._insert("conversations", c_cols), chunk

        def messages() -> Iterator[list[Any]]:
            for i in range(self.rows):
                s, k = divmod(i, per)
                row = list(m_row)
                row[m_at["id"]] = str(uuid.UUID(int=30_000_000 + i))
                row[m_at["conversation_id"]] = conversation_id(_session(s))
                row[m_at["sequence"]] = first_sequence + k
                yield row

        for chunk in _batched(messages()):
            yield self._insert("messages", m_cols), chunk

    def operations(self) -> Operations:
        n, run = self.sessions, self.loop.run_until_complete
        adds = [AgentSession(_session(i * 104_729 % n), self.adb) for i in range(OPS)]
        reads = [AgentSession(_session(i * 7919 % n), self.adb) for i in range(OPS)]
        return {
            "add_1": (lambda session: run(session.add_items([ITEM])), adds),
            "get_50": (lambda session: run(session.get_items(limit=50)), reads),
        }


def _batched(rows: Iterator[list[Any]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(tuple(row))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


AGENTS: dict[str, type[SizedWorkload]] = {"sessions": SessionsAtSize}
