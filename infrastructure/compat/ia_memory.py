"""ia_modules' `SQLConversationMemory` and `Message`, over nexusql's `DatabaseManager` drop-in.

    db = DatabaseManager("sqlite:///app.db"); await db.initialize()
    memory = SQLConversationMemory(db)
    message_id = await memory.add_message("thread-1", "user", "Hi", user_id="u1")
    await memory.get_messages("thread-1", limit=10)       # `Message`s, newest first

A thread is a memory session of the conversations context (memcore.compat.conversation_memory
writes it: posting order exact under concurrent writers), so both APIs read the same messages.
`user_id`, `metadata`, `function_call` and `function_name` ride in the item's payload. Newest
means the highest sequence, not the latest clock reading. Bad input raises InvalidInput (from
memcore's memory) before anything is written.
"""

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from memcore.domain.conversations.memory import MemoryItem, conversation_id
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory as Memory
from memcore.infrastructure.compat.ia_metrics import database_of
from memcore.infrastructure.compat.memory_plans import READ
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import messages

__all__ = ["ConversationMemory", "Message", "MessageRole", "SQLConversationMemory"]

COLUMNS = ", ".join(READ)
NEWEST = "ORDER BY sequence DESC, id DESC"  # in one thread: its posting order
NEWEST_ANYWHERE = "ORDER BY created_at DESC, id DESC"  # across threads, whose sequences are their own
USER_ID = {  # the payload's user_id, per dialect
    "sqlite": "json_extract(role_metadata, '$.memory.payload.user_id')",
    "postgresql": "(CAST(role_metadata AS jsonb) #>> '{memory,payload,user_id}')",
    "mysql": "JSON_UNQUOTE(JSON_EXTRACT(role_metadata, '$.memory.payload.user_id'))",
}
USER_ID["mariadb"] = USER_ID["mysql"]


class MessageRole(enum.Enum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    FUNCTION = "function"


@dataclass
class Message:
    """One message of a conversation thread."""

    message_id: str
    thread_id: str
    user_id: str | None = None
    role: MessageRole = MessageRole.USER
    content: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    function_call: dict[str, Any] | None = None
    function_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "thread_id": self.thread_id,
            "user_id": self.user_id,
            "role": self.role.value,
            "content": self.content,
            "metadata": self.metadata,
            "timestamp": self.timestamp.isoformat(),
            "function_call": self.function_call,
            "function_name": self.function_name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Message":
        stamp = data.get("timestamp")
        return cls(
            message_id=data["message_id"],
            thread_id=data["thread_id"],
            user_id=data.get("user_id"),
            role=MessageRole(data.get("role", "user")),
            content=data.get("content", ""),
            metadata=data.get("metadata", {}),
            timestamp=datetime.fromisoformat(stamp) if stamp else datetime.now(UTC),
            function_call=data.get("function_call"),
            function_name=data.get("function_name"),
        )


class ConversationMemory:
    """ia_modules' abstract base, kept for `isinstance` checks."""


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a non-negative integer, got {type(value).__name__}")
    return value


def _role(value: str) -> MessageRole:
    try:
        return MessageRole(value)
    except ValueError:  # a chat post's sender type, or another framework's role
        return MessageRole.ASSISTANT if value != "human" else MessageRole.USER


class SQLConversationMemory(ConversationMemory):
    """ia_modules' SQLConversationMemory; see the module docstring."""

    def __init__(self, db_manager: Any) -> None:
        self.db = db_manager
        self._memory = Memory(database_of(db_manager, "SQLConversationMemory"))
        self._db = self._memory.db
        self._stamps = RowCodec(messages, ("created_at", "created_at"), self._db.sqlalchemy_dialect)

    def _message(self, thread_id: str | None, item: MemoryItem, c: str | None = None) -> Message:
        extra = item.payload if isinstance(item.payload, dict) else {}
        return Message(
            message_id=item.id,
            thread_id=thread_id if thread_id is not None else extra.get("thread_id", c or ""),
            user_id=extra.get("user_id"),
            role=_role(item.role),
            content=item.content,
            metadata=extra.get("metadata") or {},
            timestamp=item.created_at,
            function_call=extra.get("function_call"),
            function_name=extra.get("function_name"),
        )

    async def add_message(
        self,
        thread_id: str,
        role: str,
        content: str,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        function_call: dict[str, Any] | None = None,
        function_name: str | None = None,
    ) -> str:
        """Append one message; its id."""
        if isinstance(role, MessageRole):
            role = role.value
        if role not in {r.value for r in MessageRole}:
            raise InvalidInput(f"role must be one of {', '.join(r.value for r in MessageRole)}")
        for name, value in (("user_id", user_id), ("function_name", function_name)):
            if value is not None and (not isinstance(value, str) or len(value) > 255):
                raise InvalidInput(f"{name} must be a string of at most 255 characters")
        for name, value in (("metadata", metadata), ("function_call", function_call)):
            if value is not None and not isinstance(value, dict):
                raise InvalidInput(f"{name} must be a dict")
        payload = {
            "thread_id": thread_id, "user_id": user_id, "metadata": metadata or {},
            "function_call": function_call or None, "function_name": function_name,
        }  # fmt: skip
        item = {"role": role, "content": content, "payload": payload}
        return self._memory.add_items(thread_id, [item])[0].id

    def _read(self, where: str, params: dict[str, Any], thread_id: str | None) -> list[Message]:
        order = NEWEST if thread_id else NEWEST_ANYWHERE
        sql = f"SELECT {COLUMNS} FROM messages WHERE {where} {order} LIMIT :limit OFFSET :offset"
        rows = self._db.fetch_all(sql, params)
        return [self._message(thread_id, self._memory.plans.item(row)) for row in rows]

    async def get_messages(self, thread_id: str, limit: int = 10, offset: int = 0) -> list[Message]:
        """The thread's messages, newest first, `offset` newest skipped."""
        params = {"c": conversation_id(thread_id), "limit": _count("limit", limit), "offset": _count("offset", offset)}
        return self._read("conversation_id = :c", params, thread_id)

    async def get_user_messages(self, user_id: str, limit: int = 100, offset: int = 0) -> list[Message]:
        """Every thread's messages of one user, newest first (a scan of the messages: no index)."""
        params = {"u": user_id, "limit": _count("limit", limit), "offset": _count("offset", offset)}
        return self._read(f"{USER_ID[self._db.dialect]} = :u", params, None)

    async def search_messages(
        self, query: str, thread_id: str | None = None, user_id: str | None = None, limit: int = 10
    ) -> list[Message]:
        """Messages whose content contains `query` (matched literally: `%` and `_` are plain text)."""
        if not isinstance(query, str):
            raise InvalidInput("query must be a string")
        pattern = "%" + query.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
        where, params = ["content LIKE :q ESCAPE '!'"], {"q": pattern, "limit": _count("limit", limit), "offset": 0}
        if thread_id:
            where.append("conversation_id = :c")
            params["c"] = conversation_id(thread_id)
        if user_id:
            where.append(f"{USER_ID[self._db.dialect]} = :u")
            params["u"] = user_id
        return self._read(" AND ".join(where), params, thread_id)

    async def delete_thread(self, thread_id: str) -> int:
        """Delete the thread's messages; how many went."""
        return self._memory.clear_session(thread_id)

    async def get_thread_stats(self, thread_id: str) -> dict[str, Any]:
        row = self._db.fetch_one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS first, MAX(created_at) AS last FROM messages "
            "WHERE conversation_id = :c",
            {"c": conversation_id(thread_id)},
        )
        count = int(row["n"]) if row else 0
        first, last = self._stamps.decode([row["first"], row["last"]]) if count else (None, None)
        return {"message_count": count, "first_message": first, "last_message": last, "thread_id": thread_id}

    async def close(self) -> None:
        """Disconnect the DatabaseManager, as upstream does (a memcore Database given is left open)."""
        if self.db is not self._db and hasattr(self.db, "disconnect"):
            self.db.disconnect()
