"""InMemoryConversationMemory and its asyncio twin: the fakes of SQLConversationMemory for host
applications' tests. The memory contract suite runs them beside the SQL memories."""

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from memcore.domain.conversations.memory import (
    Budget,
    MemoryItem,
    NewItem,
    TokenCounter,
    approx_tokens,
    check_item,
    check_items,
    check_limit,
    conversation_id,
)
from memcore.domain.conversations.model import MAX_VERSION
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.domain.shared.validation import check_id
from memcore.infrastructure.inmemory.awaitable import awaitable

__all__ = ["AsyncInMemoryConversationMemory", "InMemoryConversationMemory"]


def _now() -> datetime:
    return datetime.now(UTC)


@attrs.define
class _Session:
    version: int = 1
    live: list[MemoryItem] = attrs.field(factory=list)
    archives: dict[str, list[MemoryItem]] = attrs.field(factory=dict)


class InMemoryConversationMemory:
    """SQLConversationMemory's methods and results, on dicts and lists."""

    def __init__(self, *, token_counter: TokenCounter = approx_tokens, clock: Callable[[], datetime] = _now) -> None:
        self.count, self.clock = token_counter, clock
        self.sessions: dict[str, _Session] = {}

    def _session(self, session_id: str) -> _Session | None:
        conversation_id(session_id)  # the same checks of the id
        return self.sessions.get(session_id)

    def _bump(self, session: _Session, n: int) -> int:
        if session.version > MAX_VERSION - n:
            raise InvalidInput(f"the session cannot take {n} more items (version limit)")
        first, session.version = session.version, session.version + n
        return first

    def _stored(self, item: NewItem, at: datetime, sequence: int, archive: str | None = None) -> MemoryItem:
        return MemoryItem(str(uuid.uuid4()), item.role, item.content, item.payload, at, sequence, item.tokens, archive)

    def setup(self) -> None:
        """Nothing to migrate."""

    def close(self) -> None:
        """Nothing to close."""

    def add_items(self, session_id: str, items: Iterable[Mapping[str, Any]]) -> list[MemoryItem]:
        checked = check_items(items, self.count)
        session = self._session(session_id)
        if not checked:
            return []
        session = session or self.sessions.setdefault(session_id, _Session())
        first, at = self._bump(session, len(checked)), self.clock()
        added = [self._stored(item, at, first + i) for i, item in enumerate(checked)]
        session.live.extend(added)
        return added

    def add_item(
        self, session_id: str, role: str, content: str, payload: Mapping[str, Any] | None = None
    ) -> MemoryItem:
        return self.add_items(session_id, [{"role": role, "content": content, "payload": payload}])[0]

    def get_items(self, session_id: str, limit: int | None = None) -> list[MemoryItem]:
        limit, session = check_limit("limit", limit), self._session(session_id)
        items = [] if session is None else list(session.live)
        return items if limit is None else items[max(0, len(items) - limit) :] if limit else []

    def pop_item(self, session_id: str) -> MemoryItem | None:
        session = self._session(session_id)
        if session is None or not session.live:
            return None
        self._bump(session, 1)
        return session.live.pop()

    def clear_session(self, session_id: str) -> int:
        session = self._session(session_id)
        if session is None:
            return 0
        del self.sessions[session_id]
        return len(session.live) + sum(map(len, session.archives.values()))

    def list_sessions(self) -> list[str]:
        return sorted(self.sessions)

    def window(self, session_id: str, max_items: int | None = None, max_tokens: int | None = None) -> list[MemoryItem]:
        budget = Budget(check_limit("max_items", max_items), check_limit("max_tokens", max_tokens))
        kept = []
        for item in reversed(self.get_items(session_id)):
            if not budget.admit(item.tokens):
                break
            kept.append(item)
        return kept[::-1]

    def summarize(self, session_id: str, summary: str, before: str | None = None, role: str = "system",
                  payload: Mapping[str, Any] | None = None) -> MemoryItem:  # fmt: skip
        checked = check_item({"role": role, "content": summary, "payload": payload}, self.count)
        session = self._session(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r}")
        pivot = len(session.live)
        if before is not None:
            check_id("before", before)
            pivot = next((i for i, item in enumerate(session.live) if item.id == before), -1)
            if pivot < 0:
                raise NotFound(f"no item {before!r} in session {session_id!r}")
        if pivot == 0:
            raise InvalidInput(f"nothing to summarise before {before!r} in session {session_id!r}")
        sequence = self._bump(session, 1)
        if before is not None:
            sequence = session.live[pivot].sequence - 1
        archive = str(uuid.uuid4())
        session.archives[archive] = session.live[:pivot]
        made = self._stored(checked, self.clock(), sequence, archive)
        session.live[:pivot] = [made]
        return made

    def summarized_items(self, session_id: str, summary_id: str) -> list[MemoryItem]:
        check_id("summary_id", summary_id)
        session = self._session(session_id)
        every = [] if session is None else [*session.live, *(i for a in session.archives.values() for i in a)]
        found = next((item for item in every if item.id == summary_id), None)
        if found is None:
            raise NotFound(f"no item {summary_id!r} in session {session_id!r}")
        if found.summary_of is None:
            raise InvalidInput(f"item {summary_id!r} is not a summary")
        return list(session.archives[found.summary_of])  # type: ignore[union-attr]

    def history(self, session_id: str) -> list[MemoryItem]:
        session = self._session(session_id)
        return [] if session is None else self._expand(session, session.live)

    def _expand(self, session: _Session, items: list[MemoryItem]) -> list[MemoryItem]:
        out: list[MemoryItem] = []
        for item in items:
            out.extend([item] if item.summary_of is None else self._expand(session, session.archives[item.summary_of]))
        return out


class AsyncInMemoryConversationMemory:
    """InMemoryConversationMemory with every method awaitable, as AsyncSQLConversationMemory's are."""

    def __init__(self, **options: Any) -> None:
        self.inner = InMemoryConversationMemory(**options)

    for _name in ("setup", "close", "add_items", "add_item", "get_items", "pop_item", "clear_session",
                  "list_sessions", "window", "summarize", "summarized_items", "history"):  # fmt: skip
        locals()[_name] = awaitable(_name)
    del _name
