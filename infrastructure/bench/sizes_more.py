"""The sized ideas, chat and checkpoints workloads (see sizes.py): bulk-loaded by the raw driver
in 50,000-row transactions, streamed so a million rows never sit in memory at once."""

import json
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.application.checkpoints.commands import SaveCheckpoint
from memcore.application.conversations.commands import PostMessage
from memcore.application.ideas.commands import AddIdeas
from memcore.domain.shared.specification import Field, Query
from memcore.infrastructure.bench import chat as chat_data
from memcore.infrastructure.bench import checkpoints as checkpoint_data
from memcore.infrastructure.bench import ideas as idea_data
from memcore.infrastructure.bench.sizes import CHUNK, OPS, SizedWorkload

Operations = dict[str, tuple[Callable[[Any], Any], Sequence[Any]]]
Chunks = Iterator[tuple[str, list[tuple[Any, ...]]]]


def _stride(ids: list[Any]) -> list[Any]:
    """OPS ids spread evenly over the loaded ones."""
    step = max(1, len(ids) // OPS)
    return ids[::step][:OPS]


class IdeasAtSize(SizedWorkload):
    """Point reads by id, a filtered page (category, score > 80, newest first, 20) and a one-idea add."""

    table = "idea_inspiration"

    def _clear(self) -> None:
        self._empty(self.table)

    def _chunks(self) -> Chunks:
        columns = ", ".join(idea_data.STORED)
        sql = f"INSERT INTO idea_inspiration ({columns}) VALUES ({self._marks(len(idea_data.STORED))})"
        encoders = idea_data._encoders(self.backend == "sqlite")
        rng, previous = random.Random(100_000), None
        for start in range(0, self.rows, CHUNK):
            chunk = []
            for i in range(start, min(self.rows, start + CHUNK)):
                idea = idea_data._idea(i, rng, previous)
                previous = idea["created_at"]
                chunk.append(idea_data._params(idea, encoders))
            yield sql, chunk

    def operations(self) -> Operations:
        s, rng = self.services, random.Random(7)
        cursor = self.conn.cursor()
        cursor.execute("SELECT id FROM idea_inspiration ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.close()
        self.conn.rollback()
        queries = [
            Query(where=(Field("category") == idea_data.CATEGORIES[i % 12]) & (Field("score") > idea_data.MIN_SCORE),
                  order_by=[Field("created_at").desc()], limit=idea_data.PAGE)
            for i in range(OPS)
        ]  # fmt: skip
        fresh = []
        for i in range(OPS):
            idea = idea_data._idea(self.rows + i, rng, None)
            fresh.append(AddIdeas(items=(idea,)))
        return {"get": (s.ideas.get, _stride(ids)), "page": (s.ideas.find, queries), "add": (s.bus.handle, fresh)}


class ChatAtSize(SizedWorkload):
    """`rows` messages in conversations of 100: post one, read a conversation's first page of 50."""

    table = "messages"
    PER_CONVERSATION = 100

    def _clear(self) -> None:
        self._run("DELETE FROM messages", "DELETE FROM conversations")

    def load(self) -> float:
        self._clear()
        self._ensure_users()
        return super().load()

    def _ensure_users(self) -> None:
        if self._scalar("SELECT COUNT(*) FROM users") == chat_data.USERS:
            return
        self._run("DELETE FROM users")
        now, cursor = self._time(chat_data.BASE_TIME), self.conn.cursor()
        rows = [(self._user(i), f"{chat_data.PREFIX}user-{i}", f"User {i}", now, now) for i in range(chat_data.USERS)]
        if self.backend == "sqlite":
            cursor.execute("BEGIN")
        cursor.executemany(
            f"INSERT INTO users (id, external_id, name, created_at, updated_at) VALUES ({self._marks(5)})", rows
        )
        cursor.close()
        self.conn.commit()

    @staticmethod
    def _user(i: int) -> str:
        return str(uuid.UUID(int=1_000_000 + i))

    @staticmethod
    def _conversation(i: int) -> str:
        return str(uuid.UUID(int=2_000_000 + i))

    def _time(self, value: datetime) -> Any:
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.backend == "sqlite" else naive

    @property
    def conversations(self) -> int:
        return max(1, -(-self.rows // self.PER_CONVERSATION))

    def _chunks(self) -> Chunks:
        per, now = self.PER_CONVERSATION, self._time(chat_data.BASE_TIME)
        columns = "id, user_id, title, status, created_at, updated_at, version"
        conversations = []
        for c in range(self.conversations):
            held = min(per, self.rows - c * per)
            conversations.append((self._conversation(c), self._user(c % chat_data.USERS),
                                  f"{chat_data.PREFIX}conversation {c}", "active", now, now, held + 1))  # fmt: skip
        for start in range(0, len(conversations), CHUNK):
            yield (
                f"INSERT INTO conversations ({columns}) VALUES ({self._marks(7)})",
                conversations[start : start + CHUNK],
            )
        sql = f"INSERT INTO messages ({', '.join(chat_data.MESSAGE_COLUMNS)}) VALUES ({self._marks(7)})"
        for start in range(0, self.rows, CHUNK):
            chunk = []
            for i in range(start, min(self.rows, start + CHUNK)):
                c, k = divmod(i, per)
                at = self._time(chat_data.BASE_TIME + timedelta(seconds=c, milliseconds=k))
                sender = chat_data.SENDERS[i % 5]
                meta = json.dumps({"tokens": i % 700}) if sender == "assistant" else None
                chunk.append((str(uuid.UUID(int=10_000_000 + i)), self._conversation(c), sender,
                              f"Message {i}: {chat_data.WORDS[i % 30]}", meta, at, k + 1))  # fmt: skip
            yield sql, chunk

    def operations(self) -> Operations:
        s, n = self.services, self.conversations
        picks = [self._conversation(i * 7919 % n) for i in range(OPS)]
        posts = [PostMessage(self._conversation(i * 104_729 % n), "user", f"fresh {i}") for i in range(OPS)]
        return {
            "page": (lambda conversation: s.conversations.messages(conversation, chat_data.PAGE, 0), picks),
            "post": (s.bus.handle, posts),
        }


class CheckpointsAtSize(SizedWorkload):
    """`rows` checkpoints over rows/100 threads: the latest of a thread, and a save."""

    table = "pipeline_checkpoints"
    PER_THREAD = 100

    def _clear(self) -> None:
        self._run("DELETE FROM pipeline_checkpoints")

    @property
    def threads(self) -> int:
        return max(1, -(-self.rows // self.PER_THREAD))

    def _chunks(self) -> Chunks:
        sql = f"INSERT INTO pipeline_checkpoints ({checkpoint_data.COLUMNS}) VALUES ({self._marks(8)})"
        state, base = json.dumps(checkpoint_data.STATE), datetime(2024, 1, 1)
        sqlite = self.backend == "sqlite"
        for start in range(0, self.rows, CHUNK):
            chunk = []
            for i in range(start, min(self.rows, start + CHUNK)):
                t, k = divmod(i, self.PER_THREAD)
                at = base + timedelta(seconds=t, milliseconds=k)
                created: Any = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
                chunk.append((str(uuid.UUID(int=20_000_000 + i)), f"bench-thread-{t}", "bench", None, k + 1, state,
                              json.dumps({"i": i}), created))  # fmt: skip
            yield sql, chunk

    def operations(self) -> Operations:
        s, n = self.services, self.threads
        threads = [f"bench-thread-{i * 7919 % n}" for i in range(OPS)]
        saves = [SaveCheckpoint(f"bench-thread-{i * 104_729 % n}", "bench", checkpoint_data.STATE, {"i": i})
                 for i in range(OPS)]  # fmt: skip
        return {"latest": (s.checkpoints.latest, threads), "save": (s.bus.handle, saves)}


MORE: dict[str, type[SizedWorkload]] = {"ideas": IdeasAtSize, "chat": ChatAtSize, "checkpoints": CheckpointsAtSize}
