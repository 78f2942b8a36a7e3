"""The "chat" workload: a chatbot posting messages, paging a long conversation, reloading its knowledge.

Phases (sizes scale with --rows, default 100k):
- `post_message`: `rows` messages posted round-robin to `rows / 100` conversations, each post its
  own transaction. memcore runs the PostMessage use case; the raw side does what a hand-written
  post must: read the conversation (refusing an archived one), insert the message numbered by the
  conversation's version, raise the version where it is still the one read, commit.
- `page_messages`: a `rows / 10`-message conversation read 50 at a time, oldest first (created_at,
  then posting sequence), each page a lone statement.
- `upsert_insert` / `upsert_update`: `rows / 2` knowledge chunks bulk-upserted in batches of 1000,
  each batch one transaction; the second pass finds every chunk stored and updates them all. The
  raw side runs the dialect's insert-or-update through `executemany`.

Both sides get the same prepared data, built before the clock starts, and each phase starts from
the same database state. The raw side encodes JSON (metadata as text) inside its timed phases, as a
hand-written writer must and as memcore does (the ideas workload measures the same way). The
workload empties the chat tables, so it refuses a database holding users, conversations or chunks
it did not write.
"""

import json
import random
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.application.conversations.commands import BulkUpsertKnowledgeChunks, PostMessage
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload

DEFAULT_ROWS = 100_000
PAGE = 50
BATCH = 1_000
PREFIX = "bench-chat-"
SOURCE = "bench-chat"
USERS = 100
BASE_TIME = datetime(2024, 3, 1, tzinfo=UTC)
WORDS = (
    "agent", "memory", "retrieval", "context", "token", "prompt", "answer", "question", "invoice", "refund",
    "shipping", "password", "account", "café", "naïve", "Zürich", "東京", "données", "señal", "история",
    "schedule", "meeting", "budget", "report", "deploy", "latency", "embedding", "summary", "policy", "🙂",
)  # fmt: skip
SENDERS = ("user", "assistant", "user", "assistant", "system")
MESSAGE_COLUMNS = ("id", "conversation_id", "sender_type", "content", "role_metadata", "created_at", "sequence")
CHUNK_COLUMNS = ("id", "source", "external_id", "title", "content", "chunk_metadata", "created_at", "updated_at")


def _sentence(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def make_posts(rows: int, conversations: int) -> list[tuple[int, str, str, dict[str, Any] | None]]:
    """(conversation index, sender type, content, role metadata) for every post, round-robin."""
    rng = random.Random(5)
    posts = []
    for i in range(rows):
        sender = SENDERS[i % len(SENDERS)]
        metadata = None
        if sender == "assistant":
            metadata = {
                "model": "bench-model-1",
                "tokens": {"prompt": rng.randrange(50, 4000), "completion": rng.randrange(10, 800)},
                "retrieved": [f"doc-{rng.randrange(1000)}.md#{rng.randrange(8)}" for _ in range(3)],
                "tool_calls": [{"name": "search", "arguments": {"q": rng.choice(WORDS)}}] if i % 3 == 0 else [],
            }
        posts.append((i % conversations, sender, _sentence(rng, rng.randrange(20, 400)), metadata))
    return posts


def make_chunks(count: int, revision: int) -> list[dict[str, Any]]:
    """Knowledge chunks of 8 per document; revision 2 changes every content, title and metadata."""
    rng = random.Random(count)
    chunks = []
    for i in range(count):
        document, index = divmod(i, 8)
        body = _sentence(rng, 600)
        chunks.append({
            "source": SOURCE,
            "external_id": f"docs/doc-{document}.md#{index}",
            "title": f"Document {document}, part {index}" + (f" (rev {revision})" if revision > 1 else ""),
            "content": body if revision == 1 else f"{body} Revised in revision {revision}.",
            "chunk_metadata": {"path": f"docs/doc-{document}.md", "chunk": index, "revision": revision,
                               "headings": ["Guide", rng.choice(WORDS)]},
        })  # fmt: skip
    return chunks


class ChatWorkload(BenchWorkload):
    freeze_data = True  # the prepared data is long-lived: neither side should pay for walking it

    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        self.conversation_count = max(1, rows // 100)
        self.page_size = max(PAGE, rows // 10)
        self.chunk_count = max(1, rows // 2)
        self.user_ids = [str(uuid.UUID(int=1_000_000 + i)) for i in range(USERS)]
        self.conversation_ids = [str(uuid.UUID(int=2_000_000 + i)) for i in range(self.conversation_count)]
        self.page_conversation = str(uuid.UUID(int=3_000_000))
        posts = make_posts(rows, self.conversation_count)
        self.commands = [PostMessage(self.conversation_ids[c], s, text, meta) for c, s, text, meta in posts]
        self.first_pass = make_chunks(self.chunk_count, 1)
        self.second_pass = make_chunks(self.chunk_count, 2)

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.reader = self._connection(stack, autocommit=True)
        foreign = {
            "users": f"users WHERE external_id IS NULL OR external_id NOT LIKE '{PREFIX}%'",
            "conversations": f"conversations WHERE title IS NULL OR title NOT LIKE '{PREFIX}%'",
            "knowledge chunks": f"knowledge_chunks WHERE source <> '{SOURCE}'",
        }
        self._refuse_foreign_rows(foreign, "those tables")
        self._prepare_sql()
        self._prepare_rows()

    def start_round(self) -> None:
        self._clear_chat()
        self._clear_chunks()
        self._ensure_users()
        self.page_loaded = False

    def phases(self) -> Sequence[Phase]:
        pages = -(-self.page_size // PAGE)
        return [
            Phase("post_message", self.rows, self._ours_post, self._raw_post, before=self._fresh_conversations,
                  after=self._posted),
            Phase("page_messages", pages, self._ours_pages, self._raw_pages, before=self._load_page_conversation),
            Phase("upsert_insert", self.chunk_count, self._ours_insert, self._raw_insert, before=self._settled_empty,
                  after=self._chunks_stored),
            Phase("upsert_update", self.chunk_count, self._ours_update, self._raw_update, before=self._first_pass,
                  after=self._chunks_stored),
        ]  # fmt: skip

    # -- set-up: statements and the values memcore's column types store

    def _prepare_sql(self) -> None:
        mark, marks = self.mark, self._marks(len(MESSAGE_COLUMNS))
        self.sql_conversation = (
            f"SELECT id, user_id, title, status, created_at, updated_at, version FROM conversations WHERE id = {mark}"
        )
        self.sql_insert_message = f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) VALUES ({marks})"
        self.sql_bump = (
            f"UPDATE conversations SET updated_at = {mark}, version = {mark} WHERE id = {mark} AND version = {mark}"
        )
        self.sql_page = (
            f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages WHERE conversation_id = {mark} "
            f"ORDER BY created_at, sequence, id LIMIT {PAGE} OFFSET {mark}"
        )
        insert = f"INSERT INTO knowledge_chunks ({', '.join(CHUNK_COLUMNS)}) VALUES ({self._marks(8)})"
        changed = ("title", "content", "chunk_metadata", "updated_at")
        if self.backend in ("mysql", "mariadb"):
            self.sql_upsert = f"{insert} ON DUPLICATE KEY UPDATE " + ", ".join(f"{c} = VALUES({c})" for c in changed)
        else:
            self.sql_upsert = f"{insert} ON CONFLICT (source, external_id) DO UPDATE SET " + ", ".join(
                f"{c} = excluded.{c}" for c in changed
            )

    def _time(self, value: datetime) -> Any:
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.backend == "sqlite" else naive

    def _prepare_rows(self) -> None:
        self.raw_posts = [(c.conversation_id, c.sender_type, c.content, c.role_metadata) for c in self.commands]
        self.chunk_batches = [self.first_pass[i : i + BATCH] for i in range(0, self.chunk_count, BATCH)]
        self.update_batches = [self.second_pass[i : i + BATCH] for i in range(0, self.chunk_count, BATCH)]
        self.raw_first = [self._chunk_values(batch) for batch in self.chunk_batches]
        self.raw_second = [self._chunk_values(batch) for batch in self.update_batches]

    @staticmethod
    def _chunk_values(chunks: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """What the driver is given, ids and timestamps aside and metadata still a dict (both sides
        make or encode those in their timed phases)."""
        return [(c["source"], c["external_id"], c["title"], c["content"], c["chunk_metadata"]) for c in chunks]

    # -- untimed checks and resets

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.conn.cursor()
        if self.backend == "sqlite":
            cursor.execute("BEGIN")
        cursor.executemany(sql, rows)
        cursor.close()
        self.conn.commit()

    def _clear_chat(self) -> None:
        self._run("DELETE FROM messages", "DELETE FROM conversations")

    def _clear_chunks(self) -> None:
        self._run("DELETE FROM knowledge_chunks")

    def _ensure_users(self) -> None:
        count = self._scalar("SELECT COUNT(*) FROM users")
        if count == USERS:
            return
        self._run("DELETE FROM users")
        now = self._time(BASE_TIME)
        rows = [(uid, f"{PREFIX}user-{i}", f"User {i}", now, now) for i, uid in enumerate(self.user_ids)]
        columns = "id, external_id, name, created_at, updated_at"
        self._insert(f"INSERT INTO users ({columns}) VALUES ({self._marks(5)})", rows)

    def _insert_conversations(self, ids: list[str]) -> None:
        now = self._time(BASE_TIME)
        rows = [(cid, self.user_ids[i % USERS], f"{PREFIX}conversation {i}", "active", now, now, 1)
                for i, cid in enumerate(ids)]  # fmt: skip
        columns = "id, user_id, title, status, created_at, updated_at, version"
        self._insert(f"INSERT INTO conversations ({columns}) VALUES ({self._marks(7)})", rows)

    def _fresh_conversations(self) -> None:
        """Every post phase starts from the same empty conversations, at version 1."""
        self._clear_chat()
        self._insert_conversations(self.conversation_ids)
        self.page_loaded = False

    def _posted(self) -> tuple[Any, ...]:
        count, top = self._row("SELECT COUNT(*), MAX(sequence) FROM messages")
        if count != self.rows:
            raise AssertionError(f"post_message left {count} messages, expected {self.rows}")
        versions = self._scalar("SELECT SUM(version) FROM conversations")
        return count, top, int(versions)

    def _load_page_conversation(self) -> None:
        """The long conversation, loaded once per round; every tenth message shares a microsecond."""
        if self.page_loaded:
            return
        self._clear_chat()
        self._insert_conversations([self.page_conversation])
        rows, at = [], BASE_TIME
        for i in range(self.page_size):
            if i % 10:
                at += timedelta(milliseconds=1500, microseconds=i % 997)
            sender = SENDERS[i % len(SENDERS)]
            metadata = json.dumps({"tokens": i % 700}) if sender == "assistant" else None
            rows.append((str(uuid.UUID(int=4_000_000 + i)), self.page_conversation, sender,
                         f"Message {i}: {WORDS[i % len(WORDS)]} {'lorem ' * (i % 40)}", metadata, self._time(at),
                         i + 1))  # fmt: skip
        self._insert(self.sql_insert_message, rows)
        self._analyze("messages")
        self.page_loaded = True

    def _settled_empty(self) -> None:
        """No chunks, and the clean-up the post phase left the server (dead rows of 100k updated
        conversations) done now, untimed, rather than by autovacuum during whichever side runs next."""
        self._clear_chunks()
        if self.backend == "postgresql":
            cursor = self.reader.cursor()  # VACUUM runs outside a transaction: the autocommit connection
            cursor.execute("VACUUM (ANALYZE) conversations, messages, knowledge_chunks")
            cursor.close()

    def _first_pass(self) -> None:
        self._clear_chunks()
        self._raw_upsert(self.raw_first)
        self._analyze("knowledge_chunks")

    def _chunks_stored(self) -> tuple[Any, ...]:
        count, length = self._row("SELECT COUNT(*), SUM(LENGTH(content)) FROM knowledge_chunks")
        if count != self.chunk_count:
            raise AssertionError(f"the upsert left {count} chunks, expected {self.chunk_count}")
        return count, int(length)

    # -- memcore's use cases

    def _ours_post(self) -> int:
        handle = self.services.bus.handle
        for command in self.commands:
            handle(command)
        return self.rows

    def _ours_pages(self) -> list[str]:
        messages, conversation = self.services.conversations.messages, self.page_conversation
        return [m.id for offset in range(0, self.page_size, PAGE) for m in messages(conversation, PAGE, offset)]

    def _ours_upsert(self, batches: list[list[dict[str, Any]]]) -> int:
        handle = self.services.bus.handle
        return sum(handle(BulkUpsertKnowledgeChunks(batch, batch_size=BATCH)) for batch in batches)

    def _ours_insert(self) -> int:
        return self._ours_upsert(self.chunk_batches)

    def _ours_update(self) -> int:
        return self._ours_upsert(self.update_batches)

    # -- the raw DB-API driver doing the same

    def _raw_post(self) -> int:
        conn, cursor, sqlite, dumps = self.conn, self.conn.cursor(), self.backend == "sqlite", json.dumps
        select, insert, bump = self.sql_conversation, self.sql_insert_message, self.sql_bump
        for conversation_id, sender, content, metadata in self.raw_posts:
            if sqlite:
                cursor.execute("BEGIN")
            cursor.execute(select, (conversation_id,))
            row = cursor.fetchone()
            if row is None or row[3] != "active":
                raise AssertionError(f"conversation {conversation_id} is missing or archived")
            version = row[6]
            now = self._time(datetime.now(UTC))
            encoded = None if metadata is None else dumps(metadata)
            cursor.execute(insert, (str(uuid.uuid4()), conversation_id, sender, content, encoded, now, version))
            cursor.execute(bump, (now, version + 1, conversation_id, version))
            if cursor.rowcount != 1:
                raise AssertionError("a concurrent writer moved the conversation on")
            conn.commit()
        cursor.close()
        return self.rows

    def _raw_pages(self) -> list[str]:
        cursor, sql, conversation = self.reader.cursor(), self.sql_page, self.page_conversation
        ids: list[str] = []
        for offset in range(0, self.page_size, PAGE):
            cursor.execute(sql, (conversation, offset))
            ids.extend(row[0] for row in cursor.fetchall())
        cursor.close()
        return ids

    def _raw_upsert(self, batches: list[list[tuple[Any, ...]]]) -> int:
        conn, cursor, sql, new_id, dumps = self.conn, self.conn.cursor(), self.sql_upsert, uuid.uuid4, json.dumps
        written = 0
        for batch in batches:
            now = self._time(datetime.now(UTC))
            if self.backend == "sqlite":
                cursor.execute("BEGIN")
            rows = [(str(new_id()), *values[:4], dumps(values[4]), now, now) for values in batch]
            cursor.executemany(sql, rows)
            conn.commit()
            written += len(batch)
        cursor.close()
        return written

    def _raw_insert(self) -> int:
        return self._raw_upsert(self.raw_first)

    def _raw_update(self) -> int:
        return self._raw_upsert(self.raw_second)
