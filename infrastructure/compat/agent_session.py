"""AgentSession: an agent-framework session (the OpenAI Agents SDK's `Session` protocol) on
conversation memory, free of the framework itself; `memcore.integrations.openai_agents` builds
`MemcoreSession` on it.

Each item is stored whole as the payload of one memory item (its role, or its type for tool calls
and their outputs, as the role; its text as the content), so the chat API and the memory's own
window and summaries see the same session. A summary reads back as a system message, a message
posted through the chat API as a plain message of its sender type.
"""

from typing import Any

from memcore.domain.conversations.memory import MemoryItem, check_limit, conversation_id
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

__all__ = ["AgentSession"]

_CHAT_ROLES = ("user", "assistant", "system", "developer")


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


def to_memory_item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidInput(f"a session item must be a dict, got {type(item).__name__}")
    role = item.get("role") or item.get("type") or "item"
    return {"role": str(role), "content": _text(item), "payload": item}


def to_session_item(item: MemoryItem) -> dict[str, Any]:
    return _session_item(item.role, item.content, item.payload, item.is_summary)


def _session_item(role: str, content: str, payload: Any, summary: bool) -> dict[str, Any]:
    """The stored item itself; a summary, or a message the chat API posted (its payload is the
    chat's metadata, not an item), as a plain message."""
    if isinstance(payload, dict) and ("type" in payload or "role" in payload) and not summary:
        return payload
    return {"role": role if role in _CHAT_ROLES else "system", "content": content}


class AgentSession:
    """One session: `get_items(limit)`, `add_items`, `pop_item`, `clear_session`, all awaitable.

    `get_items(None)` gives every item, unless `session_settings.limit` says otherwise; N gives
    the newest N, oldest first; 0 none; a negative limit raises InvalidInput.
    """

    def __init__(self, session_id: str, memory: AsyncSQLConversationMemory | AsyncDatabase | str,
                 session_settings: Any = None) -> None:  # fmt: skip
        conversation_id(session_id)  # refuses a bad id at once
        self.session_id = session_id
        self.session_settings = session_settings
        self._owned = not isinstance(memory, AsyncSQLConversationMemory)
        self.memory = AsyncSQLConversationMemory(memory) if self._owned else memory

    def _limit(self, limit: int | None) -> int | None:
        if limit is None and self.session_settings is not None:
            return getattr(self.session_settings, "limit", None)
        return limit

    async def setup(self) -> None:
        """Migrate the database (memcore's schema) if it is behind."""
        await self.memory.setup()

    async def close(self) -> None:
        """Close the database if this session opened it."""
        if self._owned:
            await self.memory.db.close()

    async def get_items(self, limit: int | None = None) -> list[Any]:
        limit = check_limit("limit", self._limit(limit))
        plans = self.memory.plans
        found = await self.memory.run(self.memory.db, lambda: plans.contents(self.session_id, limit), write=False)
        return [_session_item(*entry) for entry in found]

    async def add_items(self, items: list[Any]) -> None:
        if items:
            await self.memory.add_items(self.session_id, [to_memory_item(item) for item in items])

    async def pop_item(self) -> Any | None:
        item = await self.memory.pop_item(self.session_id)
        return None if item is None else to_session_item(item)

    async def clear_session(self) -> None:
        await self.memory.clear_session(self.session_id)
