"""MemcoreSession: the OpenAI Agents SDK's `Session` on memcore's conversation memory.

    async with MemcoreSession.from_conn_string("postgresql://app@db/app", "user-42") as session:
        await session.setup()                      # migrate, once
        result = await Runner.run(agent, "Hi", session=session)

Each item is stored whole as the payload of one memory item (infrastructure/compat/agent_session.py),
so the chat API and the memory's window and summaries see the same session. `get_items(limit)`
follows the SDK: None (or the session settings' limit) for every item, N for the newest N oldest
first; a negative limit raises InvalidInput. Needs `pip install memcore[openai-agents]`.
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

from memcore.infrastructure.compat.agent_session import AgentSession
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

__all__ = ["MemcoreSession"]


class MemcoreSession(AgentSession):
    """One session of the OpenAI Agents SDK, kept in memcore's conversation memory."""

    session_settings: SessionSettings | None

    def __init__(
        self,
        session_id: str,
        memory: AsyncSQLConversationMemory | AsyncDatabase | str,
        session_settings: SessionSettings | dict[str, Any] | None = None,
    ) -> None:
        super().__init__(session_id, memory, session_settings)

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

    def _limit(self, limit: int | None) -> int | None:
        return resolve_session_limit(limit, self.session_settings)
