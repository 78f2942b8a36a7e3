"""The SQL of conversation memory, as plans (sqlalchemy/plans.py) both memories run.

A session's live items are the messages of its conversation (`conversation_id(session_id)`),
ordered by `sequence`. Writers bump the conversation's `version` first, which locks its row (and
on SQLite takes the write lock), and number their messages from it: posting order is exact under
concurrent writers, as for the chat API's own posts. A memory item keeps its role, token count
and payload in `role_metadata` under the key "memory" (a payload whose "content" is the item's
text keeps that key as null, LIFTED, and gets the text back on read: it is stored once); a message
posted through the chat API reads back with its sender type as role and its metadata as payload.
"""

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from memcore.domain.conversations.memory import (
    Budget,
    MemoryItem,
    NewItem,
    conversation_id,
    sender_type,
)
from memcore.domain.conversations.model import ACTIVE, ARCHIVED, MAX_VERSION
from memcore.domain.shared.errors import AlreadyExists, InvalidInput, NotFound, TransactionConflict
from memcore.domain.shared.validation import check_id
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.plans import Plan, Rollback
from memcore.infrastructure.sqlalchemy.tables import conversations, messages

WRITTEN = ("id", "conversation_id", "sender_type", "content", "role_metadata", "created_at", "sequence")
READ = ("id", "sender_type", "content", "role_metadata", "created_at", "sequence")
SELECT = f"SELECT {', '.join(READ)} FROM messages WHERE conversation_id = :c"
NEWEST = f"{SELECT} ORDER BY sequence DESC, id DESC LIMIT :n"
OLDER = f"{SELECT} AND (sequence < :s OR (sequence = :s AND id < :i)) ORDER BY sequence DESC, id DESC LIMIT :n"
OLDEST = f"{SELECT} ORDER BY sequence, id"
BUMP = "UPDATE conversations SET version = version + :n, updated_at = :now WHERE id = :c AND version <= :ceiling"
STATE = "SELECT version, status FROM conversations WHERE id = :c"
NEW_CONVERSATION = (
    "INSERT INTO conversations (id, user_id, title, status, created_at, updated_at, version, session_id) "
    "VALUES (:c, NULL, NULL, :status, :now, :now, :version, :session)"
)
# MariaDB: an INSERT of rows whose sequence is NULL numbers them itself, one by one, in a trigger
# (migration 0017) that bumps and locks the conversation; it refuses with FULL_PATH when the
# session needs the full path. One autocommitted statement, so one round trip.
FULL_PATH = "memcore: append takes the full path"
# The same INSERT where the trigger is absent (a server with binary logging refused CREATE TRIGGER
# to a user without SUPER, and migration 0017 went on without it): MariaDB's NOT NULL refusal.
NO_TRIGGER = "'sequence' cannot be null"
# A chat conversation attached to a session (`attach`) stands in for the session's own one; it is
# looked for only when the session's own conversation is absent, so other sessions pay nothing.
ATTACHED = "SELECT id FROM conversations WHERE session_id = :s AND status = :status AND id <> :c"
ROWS_PER_INSERT = 200
CHARS_PER_INSERT = 2_000_000  # of content and JSON (at most 8 MB): under MariaDB's 16 MB packets
PAGE = 200


# A memory item's payload whose "content" is the item's text stores it as null, and says so under
# this key (older rows lack it and keep their payload whole): the text is stored once.
LIFTED = "lifted"


def _payload(memory: dict[str, Any], content: str) -> Any:
    """The item's payload as added: with its content put back if it was lifted."""
    payload = memory.get("payload")
    if LIFTED in memory and type(payload) is dict:
        return {**payload, "content": content}
    return payload


_last_id = [0]  # the bits of this process's last id
_id_lock = threading.Lock()


def time_ordered_id() -> str:
    """A UUID (version 7 layout: milliseconds, then random bits) as text. New ids land at the end
    of the primary key's B-tree (InnoDB clusters rows on it) instead of at random pages, and the
    ids one process makes always ascend: within one millisecond (or after the clock stepped back)
    an id is the last one plus one."""
    bits = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10))
    bits = bits & ~(0xF << 76) | 0x7 << 76  # version 7
    bits = bits & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    with _id_lock:
        if bits <= _last_id[0]:
            bits = _last_id[0] + 1  # the low 62 random bits never run over in one millisecond
        _last_id[0] = bits
    return str(uuid.UUID(int=bits))


def _chunks(rows: list[tuple[Any, ...]]) -> list[list[tuple[Any, ...]]]:
    """The rows in INSERTs of at most ROWS_PER_INSERT rows and (but for one big row) CHARS_PER_INSERT."""
    chunks: list[list[tuple[Any, ...]]] = []
    size = 0
    for row in rows:
        chars = len(row[3]) + len(row[4])
        if not chunks or len(chunks[-1]) == ROWS_PER_INSERT or size + chars > CHARS_PER_INSERT:
            chunks.append([])
            size = 0
        chunks[-1].append(row)
        size += chars
    return chunks


class MemoryPlans:
    """Every operation of conversation memory, for one SQL dialect."""

    def __init__(self, dialect: Any, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.codec = RowCodec(messages, WRITTEN, dialect)
        self.read_codec = RowCodec(messages, READ, dialect)
        self.meta_codec = RowCodec(messages, ("role_metadata",), dialect)
        self.stamp = RowCodec(conversations, ("created_at",), dialect)
        # UPDATE ... RETURNING saves a round trip where the dialect has it (not MariaDB), and
        # PostgreSQL appends to a session in one statement (an UPDATE in a WITH), no transaction.
        self.returning = dialect.name in ("postgresql", "sqlite")
        self.one_statement = dialect.name == "postgresql"
        self._dialect = dialect
        self._inserts: dict[int, str] = {}
        self._appends: dict[int, str] = {}
        self._no_trigger = False

    @property
    def by_trigger(self) -> bool:
        """MariaDB, where migration 0017's trigger numbers appended rows. Asked per call: the
        dialect knows it is MariaDB only once it has connected (until then the full path runs)."""
        return not self._no_trigger and bool(getattr(self._dialect, "is_mariadb", False))

    def full_path_needed(self, exc: Exception) -> bool:
        """Whether `append_by_trigger` failed (writing nothing) so that the full path must run: the
        trigger refused the session, or there is no trigger, which is remembered for later calls."""
        if NO_TRIGGER in str(exc):
            self._no_trigger = True
            return True
        return FULL_PATH in str(exc)

    # -- rows

    def item(self, row: dict[str, Any]) -> MemoryItem:
        id_, sender, content, meta, created_at, sequence = self.read_codec.decode([row[n] for n in READ])
        memory = meta.get("memory") if isinstance(meta, dict) else None
        if not isinstance(memory, dict):  # a message posted through the chat API
            return MemoryItem(id_, sender, content, meta, created_at, sequence, len(content) // 4 or 1)
        return MemoryItem(
            id_, memory.get("role", sender), content, _payload(memory, content), created_at, sequence,
            memory.get("tokens", 0), memory.get("summary_of"),
        )  # fmt: skip

    def _row(self, item: NewItem, c: str, at: Any, sequence: int, **extra: Any) -> tuple[Any, ...]:
        memory: dict[str, Any] = {"role": item.role, "tokens": item.tokens, **extra}
        payload = item.payload
        if type(payload) is dict and type(payload.get("content")) is str and payload["content"] == item.content:
            # The item's text is its payload's "content" (an agent-framework message): stored once,
            # in the content column; the payload keeps the key (so its order) with a null.
            memory["payload"], memory[LIFTED] = {**payload, "content": None}, 1
        elif payload is not None:
            memory["payload"] = payload
        return self.codec.encode(
            [time_ordered_id(), c, sender_type(item.role), item.content, {"memory": memory}, at, sequence]
        )

    def _insert(self, rows: list[tuple[Any, ...]]) -> Plan[None]:
        for chunk in _chunks(rows):
            sql = self._inserts.get(len(chunk))
            if sql is None:
                values = ", ".join("(" + ", ".join(f":{n}{i}" for n in WRITTEN) + ")" for i in range(len(chunk)))
                sql = self._inserts[len(chunk)] = f"INSERT INTO messages ({', '.join(WRITTEN)}) VALUES {values}"
            params = {f"{n}{i}": v for i, row in enumerate(chunk) for n, v in zip(WRITTEN, row, strict=True)}
            yield ("execute", sql, params)

    def _bump(self, c: str, n: int, now: Any) -> Plan[dict[str, Any] | None]:
        """Lock the conversation, raising its version by n: its state after, or None if it is absent."""
        params = {"n": n, "now": now, "c": c, "ceiling": MAX_VERSION - n}
        if self.returning:
            row = yield ("fetch_one", BUMP + " RETURNING version, status", params)
        else:
            count = yield ("execute", BUMP, params)
            row = (yield ("fetch_one", STATE, {"c": c})) if count else None
        if row is None:
            state = yield ("fetch_one", STATE, {"c": c})
            if state is None:
                return None
            if state["version"] > MAX_VERSION - n:
                raise InvalidInput(f"conversation {c} cannot take {n} more items (version limit)")
            # Created by a concurrent writer after the UPDATE looked: the runner starts again.
            raise TransactionConflict(f"conversation {c} was created concurrently")
        if row["status"] != ACTIVE:
            raise InvalidInput(f"conversation {c} is archived; no more items can be added")
        return row

    # -- writes

    def append(self, session_id: str, items: list[NewItem]) -> Plan[list[MemoryItem]]:
        c, n, at = conversation_id(session_id), len(items), self.clock()
        if not items:
            return []
        now = self.stamp.encode([at])[0]
        state = yield from self._bump(c, n, now)
        if state is None and (attached := (yield from self._attached(session_id))) is not None:
            c = attached
            state = yield from self._bump(c, n, now)
        if state is None:
            c = conversation_id(session_id)
            new = {"c": c, "status": ACTIVE, "now": now, "version": 1 + n, "session": session_id}
            yield ("execute", NEW_CONVERSATION, new)  # a concurrent creator wins: the runner retries
            first = 1
        else:
            first = state["version"] - n
        rows = [self._row(item, c, at, first + i) for i, item in enumerate(items)]
        yield from self._insert(rows)
        return [
            MemoryItem(row[0], item.role, item.content, item.payload, at, row[6], item.tokens)
            for item, row in zip(items, rows, strict=True)
        ]

    def append_at_once(self, session_id: str, items: list[NewItem]) -> Plan[list[MemoryItem] | None]:
        """PostgreSQL: bump and insert in one statement; None when the session needs the full path
        (it does not exist yet, is archived, or is at its version limit: the full path says which)."""
        c, n, at = conversation_id(session_id), len(items), self.clock()
        rows = [self._row(item, c, at, 0) for item in items]
        if len(_chunks(rows)) != 1:
            return None
        params: dict[str, Any] = {"n": n, "now": rows[0][5], "c": c, "ceiling": MAX_VERSION - n}
        for i, row in enumerate(rows):
            params.update({f"i{i}": row[0], f"s{i}": row[2], f"t{i}": row[3], f"m{i}": row[4]})
        found = yield ("fetch_all", self._append_sql(n), params)
        if not found:
            return None
        sequences = {row["id"]: row["sequence"] for row in found}
        return [
            MemoryItem(row[0], item.role, item.content, item.payload, at, sequences[row[0]], item.tokens)
            for item, row in zip(items, rows, strict=True)
        ]

    def append_by_trigger(self, session_id: str, items: list[NewItem]) -> Plan[list[MemoryItem] | None]:
        """MariaDB: one INSERT ... RETURNING the trigger numbered; None when the items need more
        than one INSERT. A session that needs the full path makes the statement fail (FULL_PATH)."""
        c, n, at = conversation_id(session_id), len(items), self.clock()
        rows = [self._row(item, c, at, 0) for item in items]
        if len(_chunks(rows)) != 1:
            return None
        params: dict[str, Any] = {"c": c, "now": rows[0][5]}
        for i, row in enumerate(rows):
            params.update({f"i{i}": row[0], f"s{i}": row[2], f"t{i}": row[3], f"m{i}": row[4]})
        found = yield ("fetch_all", self._trigger_sql(n), params)
        sequences = {row["id"]: row["sequence"] for row in found}
        return [
            MemoryItem(row[0], item.role, item.content, item.payload, at, sequences[row[0]], item.tokens)
            for item, row in zip(items, rows, strict=True)
        ]

    def _trigger_sql(self, n: int) -> str:
        sql = self._appends.get(-n)
        if sql is None:
            values = ", ".join(f"(:i{i}, :c, :s{i}, :t{i}, :m{i}, :now, NULL)" for i in range(n))
            sql = self._appends[-n] = (
                f"INSERT INTO messages ({', '.join(WRITTEN)}) VALUES {values} RETURNING id, sequence"
            )
        return sql

    def _append_sql(self, n: int) -> str:
        sql = self._appends.get(n)
        if sql is None:
            values = ", ".join(f"(:i{i}, :s{i}, :t{i}, :m{i}, {i})" for i in range(n))
            sql = self._appends[n] = (
                "WITH bumped AS (UPDATE conversations SET version = version + CAST(:n AS INTEGER), "
                "updated_at = CAST(:now AS TIMESTAMP) WHERE id = :c AND status = 'active' AND version <= :ceiling "
                f"RETURNING version) INSERT INTO messages ({', '.join(WRITTEN)}) "
                "SELECT v.id, :c, v.sender_type, v.content, v.role_metadata, CAST(:now AS TIMESTAMP), "
                "b.version - CAST(:n AS INTEGER) + v.k FROM bumped b CROSS JOIN "
                f"(VALUES {values}) AS v (id, sender_type, content, role_metadata, k) RETURNING id, sequence"
            )
        return sql

    def pop(self, session_id: str) -> Plan[MemoryItem | None]:
        c, now = conversation_id(session_id), self.stamp.encode([self.clock()])[0]
        if (yield from self._bump(c, 1, now)) is None:
            c = yield from self._attached(session_id)
            if c is None or (yield from self._bump(c, 1, now)) is None:
                raise Rollback(None)
        row = yield ("fetch_one", NEWEST, {"c": c, "n": 1})
        if row is None:
            raise Rollback(None)
        yield ("execute", "DELETE FROM messages WHERE id = :id", {"id": row["id"]})
        return self.item(row)

    def clear(self, session_id: str) -> Plan[int]:
        """Delete the session: its items, what its summaries replaced, its conversations."""
        params = {"s": check_id("session_id", session_id)}
        yield ("execute", "UPDATE conversations SET version = version + 1 WHERE session_id = :s", params)
        count = yield (
            "execute",
            "DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE session_id = :s)",
            params,
        )
        yield ("execute", "DELETE FROM conversations WHERE session_id = :s", params)
        return count

    def summarize(self, session_id: str, summary: NewItem, before: str | None) -> Plan[MemoryItem]:
        """Move the items before `before` (all, if None) to an archived conversation, and put
        `summary` in their place, pointing at them."""
        c, at = conversation_id(session_id), self.clock()
        now = self.stamp.encode([at])[0]
        state = yield from self._bump(c, 1, now)
        if state is None and (attached := (yield from self._attached(session_id))) is not None:
            c = attached
            state = yield from self._bump(c, 1, now)
        if state is None:
            raise NotFound(f"no session {session_id!r}")
        pivot = state["version"] - 1  # the next free sequence: everything is before it
        if before is not None:
            check_id("before", before)
            pivot = yield ("fetch_value", "SELECT sequence FROM messages WHERE id = :i AND conversation_id = :c",
                           {"i": before, "c": c})  # fmt: skip
            if pivot is None:
                raise NotFound(f"no item {before!r} in session {session_id!r}")
        archive = str(uuid.uuid4())
        new = {"c": archive, "status": ARCHIVED, "now": now, "version": 1, "session": session_id}
        yield ("execute", NEW_CONVERSATION, new)
        move = "UPDATE messages SET conversation_id = :a WHERE conversation_id = :c AND sequence < :p"
        moved = yield ("execute", move, {"a": archive, "c": c, "p": pivot})
        if not moved:
            raise InvalidInput(f"nothing to summarise before {before!r} in session {session_id!r}")
        # The items moved out, so the sequence just before the pivot is free.
        row = self._row(
            summary, c, at, pivot - 1 if before is not None else pivot, summary_of=archive, summarized=moved
        )
        yield from self._insert([row])
        return MemoryItem(row[0], summary.role, summary.content, summary.payload, at, row[6], summary.tokens, archive)

    # -- reads

    def items(self, session_id: str, limit: int | None) -> Plan[list[MemoryItem]]:
        c = conversation_id(session_id)
        if limit == 0:
            return []
        while True:
            if limit is None:
                rows = yield ("fetch_all", OLDEST, {"c": c})
            else:
                rows = (yield ("fetch_all", NEWEST, {"c": c, "n": limit}))[::-1]
            if rows or c != conversation_id(session_id) or (c := (yield from self._attached(session_id))) is None:
                return [self.item(row) for row in rows]

    def contents(self, session_id: str, limit: int | None) -> Plan[list[tuple[str, str, Any, bool]]]:
        """What `items` gives, as (role, content, payload, is a summary) only: the lean read that
        agent sessions make on every turn (no ids, times or token counts decoded)."""
        c = conversation_id(session_id)
        if limit == 0:
            return []
        columns = "sender_type, content, role_metadata"
        if limit is None:
            sql, params = f"SELECT {columns} FROM messages WHERE conversation_id = :c ORDER BY sequence, id", {"c": c}
        else:
            sql = f"SELECT {columns} FROM messages WHERE conversation_id = :c ORDER BY sequence DESC, id DESC LIMIT :n"
            params = {"c": c, "n": limit}
        rows = yield ("fetch_all", sql, params)
        if not rows and (attached := (yield from self._attached(session_id))) is not None:
            rows = yield ("fetch_all", sql, {**params, "c": attached})
        out = []
        loads = json.loads  # what the column's JsonText decoding does, without its per-row wrapping
        for row in rows if limit is None else reversed(rows):
            raw = row["role_metadata"]
            meta = loads(raw) if raw else None
            memory = meta.get("memory") if type(meta) is dict else None
            if type(memory) is dict:
                summary = memory.get("summary_of") is not None
                content = row["content"]
                payload = memory.get("payload")
                if LIFTED in memory and type(payload) is dict:
                    payload["content"] = content
                out.append((memory.get("role", row["sender_type"]), content, payload, summary))
            else:
                out.append((row["sender_type"], row["content"], meta, False))
        return out

    def window(self, session_id: str, budget: Budget) -> Plan[list[MemoryItem]]:
        """The newest items that fit the budget, oldest first."""
        c, kept = conversation_id(session_id), []
        page = min(PAGE, budget.max_items) if budget.max_items is not None else PAGE
        if page == 0:
            return []
        rows = yield ("fetch_all", NEWEST, {"c": c, "n": page})
        if not rows and (attached := (yield from self._attached(session_id))) is not None:
            c = attached
            rows = yield ("fetch_all", NEWEST, {"c": c, "n": page})
        while rows:
            for row in rows:
                item = self.item(row)
                if not budget.admit(item.tokens):
                    return kept[::-1]
                kept.append(item)
            if len(rows) < page:
                break
            last = rows[-1]
            rows = yield ("fetch_all", OLDER, {"c": c, "s": last["sequence"], "i": last["id"], "n": page})
        return kept[::-1]

    def replaced(self, session_id: str, summary_id: str) -> Plan[list[MemoryItem]]:
        """The items a summary of the session replaced, oldest first."""
        check_id("summary_id", summary_id)
        row = yield (
            "fetch_one",
            f"SELECT {', '.join(READ)} FROM messages WHERE id = :i AND conversation_id IN "
            "(SELECT id FROM conversations WHERE session_id = :s)",
            {"i": summary_id, "s": check_id("session_id", session_id)},
        )
        if row is None:
            raise NotFound(f"no item {summary_id!r} in session {session_id!r}")
        summary = self.item(row)
        if summary.summary_of is None:
            raise InvalidInput(f"item {summary_id!r} is not a summary")
        return [self.item(row) for row in (yield ("fetch_all", OLDEST, {"c": summary.summary_of}))]

    def history(self, session_id: str) -> Plan[list[MemoryItem]]:
        """Every item ever added and not popped, with summaries expanded into what they replaced."""
        return (yield from self._expand((yield from self.items(session_id, None))))

    def _expand(self, items: list[MemoryItem]) -> Plan[list[MemoryItem]]:
        out: list[MemoryItem] = []
        for item in items:
            if item.summary_of is None:
                out.append(item)
                continue
            inner = [self.item(row) for row in (yield ("fetch_all", OLDEST, {"c": item.summary_of}))]
            out.extend((yield from self._expand(inner)))
        return out

    def _attached(self, session_id: str) -> Plan[str | None]:
        params = {"s": session_id, "status": ACTIVE, "c": conversation_id(session_id)}
        return (yield ("fetch_value", ATTACHED, params))

    def attach(self, session_id: str, chat_id: str) -> Plan[None]:
        """Make the chat conversation `chat_id` the session's: its messages become the session's
        items (oldest first, in posting order) and later items go into it."""
        own = conversation_id(session_id)
        chat_id = check_id("conversation_id", chat_id)
        row = yield ("fetch_one", "SELECT status, session_id FROM conversations WHERE id = :c", {"c": chat_id})
        if row is None:
            raise NotFound(f"no conversation {chat_id!r}")
        if row["session_id"] == session_id and row["status"] == ACTIVE:
            return None  # attached already
        if row["session_id"] is not None:
            raise AlreadyExists(f"conversation {chat_id!r} belongs to another session")
        if row["status"] != ACTIVE:
            raise InvalidInput(f"conversation {chat_id!r} is archived")
        live = "SELECT id FROM conversations WHERE session_id = :s AND status = :status"
        if (yield ("fetch_value", live, {"s": session_id, "status": ACTIVE})) is not None or (
            yield ("fetch_value", "SELECT id FROM conversations WHERE id = :c", {"c": own})
        ) is not None:
            raise AlreadyExists(f"session {session_id!r} has a conversation already; clear it first")
        attach = "UPDATE conversations SET session_id = :s WHERE id = :c AND session_id IS NULL AND status = :status"
        if not (yield ("execute", attach, {"s": session_id, "c": chat_id, "status": ACTIVE})):
            raise TransactionConflict(f"conversation {chat_id!r} changed while being attached")
        return None

    def sessions(self) -> Plan[list[str]]:
        rows = yield (
            "fetch_all",
            "SELECT DISTINCT session_id FROM conversations WHERE session_id IS NOT NULL ORDER BY session_id",
            None,
        )
        return [row["session_id"] for row in rows]
