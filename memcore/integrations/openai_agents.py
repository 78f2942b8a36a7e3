"""MemcoreSession: the OpenAI Agents SDK's `Session` on memcore's conversation memory.

    async with MemcoreSession.from_conn_string("postgresql://app@db/app", "user-42") as session:
        await session.setup()                      # migrate, once
        result = await Runner.run(agent, "Hi", session=session)

Each item is stored whole as the payload of one memory item (its role, or its type for tool calls
and their outputs, as the role; its text as the content), so the chat API and the memory's own
window and summaries see the same session. `get_items(limit)` follows the SDK: None (or the
session settings' limit) for every item, N for the newest N oldest first; a negative limit raises
InvalidInput. Needs `pip install memcore[openai-agents]`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

try:
    from agents.memory.session_settings import SessionSettings, resolve_session_limit
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "memcore.integrations.openai_agents needs the OpenAI Agents SDK: pip install memcore[openai-agents]"
    ) from exc

from memcore.domain.conversations.memory import MemoryItem, conversation_id
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

__all__ = ["MemcoreSession"]


def _text(item: dict[str, Any]) -> str:
    """The readable text of an item, or its type when it has none (a tool call without output)."""
    content = item.get("content")
    if isinstance(content, str) and content:
        return content
    if isinstance(content, list):
        text = "\n".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
        if text:
            return text
    for key in ("output", "arguments"):
        if isinstance(item.get(key), str) and item[key]:
            return item[key]
    return str(item.get("type") or item.get("role") or "item")


def _as_memory_item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidInput(f"a session item must be a dict, got {type(item).__name__}")
    role = item.get("role") or item.get("type") or "item"
    return {"role": str(role), "content": _text(item), "payload": item}


def _as_session_item(item: MemoryItem) -> dict[str, Any]:
    if item.payload is not None and not item.is_summary:
        return item.payload
    return {"role": item.role if item.role in ("user", "assistant", "system", "developer") else "system",
            "content": item.content}  # fmt: skip


class MemcoreSession:
    """One session of the OpenAI Agents SDK, kept in memcore's conversation memory."""

    def __init__(
        self,
        session_id: str,
        memory: AsyncSQLConversationMemory | AsyncDatabase | str,
        session_settings: SessionSettings | None = None,
    ) -> None:
        conversation_id(session_id)  # refuses a bad id at once
        self.session_id = session_id
        self.session_settings = session_settings
        self._owned = not isinstance(memory, AsyncSQLConversationMemory)
        self.memory = AsyncSQLConversationMemory(memory) if self._owned else memory

    @classmethod
    def from_url(cls, session_id: str, url: str, session_settings: SessionSettings | None = None) -> Self:
        """A session on a database of its own; `close()` it when done."""
        return cls(session_id, url, session_settings)

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, url: str, session_id: str, session_settings: SessionSettings | None = None
    ) -> AsyncIterator[Self]:
        session = cls.from_url(session_id, url, session_settings)
        try:
            yield session
        finally:
            await session.close()

    async def setup(self) -> None:
        """Migrate the database (memcore's schema) if it is behind."""
        await self.memory.setup()

    async def close(self) -> None:
        """Close the database if this session opened it."""
        if self._owned:
            await self.memory.db.close()

    async def get_items(self, limit: int | None = None) -> list[Any]:
        limit = resolve_session_limit(limit, self.session_settings)
        return [_as_session_item(item) for item in await self.memory.get_items(self.session_id, limit)]

    async def add_items(self, items: list[Any]) -> None:
        if items:
            await self.memory.add_items(self.session_id, [_as_memory_item(item) for item in items])

    async def pop_item(self) -> Any | None:
        item = await self.memory.pop_item(self.session_id)
        return None if item is None else _as_session_item(item)

    async def clear_session(self) -> None:
        await self.memory.clear_session(self.session_id)
