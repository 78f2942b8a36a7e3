"""MemcoreChatMessageHistory: LangChain's `BaseChatMessageHistory` on memcore's conversation memory.

    with MemcoreChatMessageHistory.from_conn_string("sqlite:///chat.db", "user-42") as history:
        history.setup()                            # migrate, once
        history.add_messages([HumanMessage("Hi"), AIMessage("Hello!")])
        history.messages                           # both, in order

Given a `SQLConversationMemory` (or a `Database`, or a URL) the synchronous methods run on it and
the async ones in a worker thread, as LangChain's base class does; given an
`AsyncSQLConversationMemory` (or an `AsyncDatabase`) the async ones run natively and the
synchronous ones raise InvalidInput. Each message is stored whole (`message_to_dict`) as the
payload of one memory item, its type as the role. Needs `pip install memcore[langchain]`.
"""

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

try:
    from langchain_core.chat_history import BaseChatMessageHistory
    from langchain_core.messages import BaseMessage, SystemMessage, message_to_dict, messages_from_dict
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError("memcore.integrations.langchain needs LangChain: pip install memcore[langchain]") from exc

from memcore.domain.conversations.memory import MemoryItem, conversation_id
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

__all__ = ["MemcoreChatMessageHistory"]

Memory = SQLConversationMemory | AsyncSQLConversationMemory


def _as_memory_item(message: Any) -> dict[str, Any]:
    if not isinstance(message, BaseMessage):
        raise InvalidInput(f"a chat message must be a LangChain BaseMessage, got {type(message).__name__}")
    return {"role": message.type, "content": str(message.text) or message.type, "payload": message_to_dict(message)}


def _as_message(item: MemoryItem) -> BaseMessage:
    if item.is_summary or not isinstance(item.payload, dict) or "type" not in item.payload:
        return SystemMessage(item.content) if item.is_summary else _plain(item)
    return messages_from_dict([item.payload])[0]


def _plain(item: MemoryItem) -> BaseMessage:
    """A message stored by another client (the chat API, an agent session) as LangChain's own type."""
    kind = {"user": "human", "assistant": "ai"}.get(item.role, item.role)
    if kind not in ("human", "ai", "system"):
        kind = "ai"
    return messages_from_dict([{"type": kind, "data": {"content": item.content}}])[0]


class MemcoreChatMessageHistory(BaseChatMessageHistory):
    """The messages of one session, in the order they were added."""

    def __init__(self, session_id: str, memory: Memory | AsyncDatabase | Any) -> None:
        conversation_id(session_id)  # refuses a bad id at once
        self.session_id = session_id
        self._owned = not isinstance(memory, SQLConversationMemory | AsyncSQLConversationMemory)
        if self._owned:
            memory = (
                AsyncSQLConversationMemory(memory)
                if isinstance(memory, AsyncDatabase)
                else SQLConversationMemory(memory)
            )
        self.memory: Memory = memory

    @classmethod
    @contextmanager
    def from_conn_string(cls, url: str, session_id: str) -> Iterator[Self]:
        """A history on a database of its own, closed when the block ends."""
        history = cls(session_id, url)
        try:
            yield history
        finally:
            history.close()

    def _sync(self) -> SQLConversationMemory:
        if not isinstance(self.memory, SQLConversationMemory):
            raise InvalidInput("this history runs on an AsyncDatabase: use aget_messages, aadd_messages and aclear")
        return self.memory

    def setup(self) -> None:
        """Migrate the database (memcore's schema) if it is behind."""
        self._sync().setup()

    def close(self) -> None:
        """Close the database if this history opened it (`aclose` on an AsyncDatabase)."""
        if self._owned:
            self._sync().close()

    async def aclose(self) -> None:
        if not self._owned:
            return
        if isinstance(self.memory, AsyncSQLConversationMemory):
            await self.memory.close()
        else:
            self.memory.close()

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        return [_as_message(item) for item in self._sync().get_items(self.session_id)]

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        items = [_as_memory_item(message) for message in messages]
        if items:
            self._sync().add_items(self.session_id, items)

    def clear(self) -> None:
        self._sync().clear_session(self.session_id)

    async def aget_messages(self) -> list[BaseMessage]:
        if isinstance(self.memory, AsyncSQLConversationMemory):
            return [_as_message(item) for item in await self.memory.get_items(self.session_id)]
        return await asyncio.to_thread(lambda: self.messages)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        if not isinstance(self.memory, AsyncSQLConversationMemory):
            return await asyncio.to_thread(self.add_messages, messages)
        items = [_as_memory_item(message) for message in messages]
        if items:
            await self.memory.add_items(self.session_id, items)

    async def aclear(self) -> None:
        if isinstance(self.memory, AsyncSQLConversationMemory):
            await self.memory.clear_session(self.session_id)
        else:
            await asyncio.to_thread(self.clear)
