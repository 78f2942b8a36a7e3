"""SQLConversationMemory and its asyncio twin: agent conversation memory on the unified Database.

    memory = SQLConversationMemory("postgresql://app@db/app")    # or a Database
    memory.setup()                                               # migrate, once
    memory.add_items("chat-42", [{"role": "user", "content": "Hi"}])
    memory.get_items("chat-42", limit=20)                        # the newest 20, oldest first

Sessions live in the conversations context (memory_plans.py says how); `AsyncSQLConversationMemory`
has the same methods, awaitable, over an `AsyncDatabase`. Unknown sessions read as empty: no
items, `pop_item` gives None, `clear_session` removes nothing; `summarize` and
`summarized_items` raise NotFound. Bad input raises InvalidInput before anything is written.
`InMemoryConversationMemory` (and its async twin) are the fakes, for host applications' tests.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from memcore.domain.conversations.memory import (
    Budget,
    MemoryItem,
    TokenCounter,
    approx_tokens,
    check_item,
    check_items,
    check_limit,
    conversation_id,
)
from memcore.domain.shared.errors import InvalidInput, StorageUnavailable
from memcore.infrastructure.compat.memory_plans import MemoryPlans
from memcore.infrastructure.compat.sqlite_hop import can_hop, run_hop
from memcore.infrastructure.compat.stores import AsyncStore, Store, SyncStore
from memcore.infrastructure.inmemory.conversation_memory import (
    AsyncInMemoryConversationMemory,
    InMemoryConversationMemory,
)
from memcore.infrastructure.sqlalchemy.plans import run, run_async

__all__ = [
    "AsyncInMemoryConversationMemory",
    "AsyncSQLConversationMemory",
    "InMemoryConversationMemory",
    "MemoryItem",
    "SQLConversationMemory",
    "conversation_id",
]


def _now() -> datetime:
    return datetime.now(UTC)


class _Memory(Store):
    """What both memories share: input checks and the plans."""

    def __init__(
        self, db: Any, *, token_counter: TokenCounter = approx_tokens, clock: Callable[[], datetime] = _now
    ) -> None:
        db = self._open(db)
        self.count = token_counter
        self.plans = MemoryPlans(db.sqlalchemy_dialect, clock)

    def _summary(self, content: str, role: str, payload: Mapping[str, Any] | None) -> Any:
        return check_item({"role": role, "content": content, "payload": payload}, self.count)


class SQLConversationMemory(_Memory, SyncStore):
    """Conversation memory over a `Database` (or a URL, for a Database of its own)."""

    def add_items(self, session_id: str, items: Iterable[Mapping[str, Any]]) -> list[MemoryItem]:
        """Append items (`role`, `content`, optional `payload`) in order, all or none."""
        checked = check_items(items, self.count)
        if self.plans.one_statement:  # one statement commits itself: no transaction needed
            done = run(self.db, lambda: self.plans.append_at_once(session_id, checked), write=False)
            if done is not None:
                return done
        elif self.plans.by_trigger:  # one autocommitted INSERT, numbered by the trigger
            try:
                done = run(self.db, lambda: self.plans.append_by_trigger(session_id, checked), write=False)
            except (StorageUnavailable, InvalidInput) as exc:
                if not self.plans.full_path_needed(exc):
                    raise
                done = None
            if done is not None:
                return done
        return run(self.db, lambda: self.plans.append(session_id, checked), write=True)

    def add_item(
        self, session_id: str, role: str, content: str, payload: Mapping[str, Any] | None = None
    ) -> MemoryItem:
        return self.add_items(session_id, [{"role": role, "content": content, "payload": payload}])[0]

    def get_items(self, session_id: str, limit: int | None = None) -> list[MemoryItem]:
        """All items, or the newest `limit`, oldest first."""
        limit = check_limit("limit", limit)
        return run(self.db, lambda: self.plans.items(session_id, limit), write=False)

    def pop_item(self, session_id: str) -> MemoryItem | None:
        """Remove and return the newest item; None when the session has none. Popping a summary
        leaves what it replaced archived (until the session is cleared), out of `history`."""
        return run(self.db, lambda: self.plans.pop(session_id), write=True)

    def clear_session(self, session_id: str) -> int:
        """Delete the session, summarised items included; how many items went."""
        return run(self.db, lambda: self.plans.clear(session_id), write=True)

    def list_sessions(self) -> list[str]:
        return run(self.db, self.plans.sessions, write=False)

    def attach_conversation(self, session_id: str, conversation_id: str) -> None:
        """Make an existing chat conversation (the chat API's, by its id) the session's: its
        messages read as the session's items, in posting order, and later items are posted to it
        (the chat API sees them). The session must have no conversation yet (AlreadyExists), the
        conversation must exist (NotFound), be active (InvalidInput) and belong to no other
        session (AlreadyExists); attaching it twice to the same session does nothing.
        `clear_session` then deletes the conversation with its messages."""
        run(self.db, lambda: self.plans.attach(session_id, conversation_id), write=True)

    def window(self, session_id: str, max_items: int | None = None, max_tokens: int | None = None) -> list[MemoryItem]:
        """The newest items within both budgets, oldest first (stopping at the first that does not fit)."""
        budget = Budget(check_limit("max_items", max_items), check_limit("max_tokens", max_tokens))
        return run(self.db, lambda: self.plans.window(session_id, budget), write=False)

    def summarize(
        self,
        session_id: str,
        summary: str,
        before: str | None = None,
        role: str = "system",
        payload: Mapping[str, Any] | None = None,
    ) -> MemoryItem:
        """Replace every item before the item `before` (all items, if None) by one summary item,
        atomically; the replaced items stay readable through `summarized_items` and `history`."""
        checked = self._summary(summary, role, payload)
        return run(self.db, lambda: self.plans.summarize(session_id, checked, before), write=True)

    def summarized_items(self, session_id: str, summary_id: str) -> list[MemoryItem]:
        """The items a summary replaced, oldest first."""
        return run(self.db, lambda: self.plans.replaced(session_id, summary_id), write=False)

    def history(self, session_id: str) -> list[MemoryItem]:
        """Every item, with each summary expanded back into the items it replaced."""
        return run(self.db, lambda: self.plans.history(session_id), write=False)


class AsyncSQLConversationMemory(_Memory, AsyncStore):
    """`SQLConversationMemory` over an `AsyncDatabase`, every method awaitable."""

    def __init__(self, db: Any, **options: Any) -> None:
        super().__init__(db, **options)
        self.run = run_hop if can_hop(self.db) else run_async  # SQLite: one worker-thread trip a call

    async def add_items(self, session_id: str, items: Iterable[Mapping[str, Any]]) -> list[MemoryItem]:
        checked = check_items(items, self.count)
        if self.plans.one_statement:
            done = await self.run(self.db, lambda: self.plans.append_at_once(session_id, checked), write=False)
            if done is not None:
                return done
        elif self.plans.by_trigger:
            try:
                done = await self.run(self.db, lambda: self.plans.append_by_trigger(session_id, checked), write=False)
            except (StorageUnavailable, InvalidInput) as exc:
                if not self.plans.full_path_needed(exc):
                    raise
                done = None
            if done is not None:
                return done
        return await self.run(self.db, lambda: self.plans.append(session_id, checked), write=True)

    async def add_item(
        self, session_id: str, role: str, content: str, payload: Mapping[str, Any] | None = None
    ) -> MemoryItem:
        return (await self.add_items(session_id, [{"role": role, "content": content, "payload": payload}]))[0]

    async def get_items(self, session_id: str, limit: int | None = None) -> list[MemoryItem]:
        limit = check_limit("limit", limit)
        return await self.run(self.db, lambda: self.plans.items(session_id, limit), write=False)

    async def pop_item(self, session_id: str) -> MemoryItem | None:
        return await self.run(self.db, lambda: self.plans.pop(session_id), write=True)

    async def clear_session(self, session_id: str) -> int:
        return await self.run(self.db, lambda: self.plans.clear(session_id), write=True)

    async def list_sessions(self) -> list[str]:
        return await self.run(self.db, self.plans.sessions, write=False)

    async def attach_conversation(self, session_id: str, conversation_id: str) -> None:
        await self.run(self.db, lambda: self.plans.attach(session_id, conversation_id), write=True)

    async def window(
        self, session_id: str, max_items: int | None = None, max_tokens: int | None = None
    ) -> list[MemoryItem]:
        budget = Budget(check_limit("max_items", max_items), check_limit("max_tokens", max_tokens))
        return await self.run(self.db, lambda: self.plans.window(session_id, budget), write=False)

    async def summarize(
        self,
        session_id: str,
        summary: str,
        before: str | None = None,
        role: str = "system",
        payload: Mapping[str, Any] | None = None,
    ) -> MemoryItem:
        checked = self._summary(summary, role, payload)
        return await self.run(self.db, lambda: self.plans.summarize(session_id, checked, before), write=True)

    async def summarized_items(self, session_id: str, summary_id: str) -> list[MemoryItem]:
        return await self.run(self.db, lambda: self.plans.replaced(session_id, summary_id), write=False)

    async def history(self, session_id: str) -> list[MemoryItem]:
        return await self.run(self.db, lambda: self.plans.history(session_id), write=False)
