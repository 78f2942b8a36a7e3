"""Conversation memory: the items of a session, the rules they keep, and the budget window.

A session is a conversation found by a caller's own id: `conversation_id(session_id)` is the
conversation's UUID, so the chat API sees the same messages. An item is a message with a free
`role` (kept beside the chat's three sender types), text `content`, an optional JSON `payload`
and a token count. A summary is an item that replaced the items before it; those are kept in an
archived conversation of the same session (`summary_of`), so compaction never loses history.
"""

import json
import math
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from memcore.domain.conversations.model import SENDER_TYPES
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id, check_json_object, check_text

# Fixed for good: session ids map to the same conversation ids in every database.
SESSION_NAMESPACE = uuid.UUID("6f1c2d0e-8a4b-5c3d-9e7f-0a1b2c3d4e5f")
ROLE_MAX_LENGTH = 64
MAX_CONTENT_CHARS = 1_000_000
MAX_PAYLOAD_CHARS = 4_000_000  # of the payload's JSON text
MAX_BATCH = 10_000

TokenCounter = Callable[[str], int]


def approx_tokens(text: str) -> int:
    """About four characters a token: the default when no tokenizer is given."""
    return max(1, math.ceil(len(text) / 4))


def conversation_id(session_id: str) -> str:
    """The id of the conversation that holds a session's live items."""
    return str(uuid.uuid5(SESSION_NAMESPACE, check_id("session_id", session_id)))


_SENDER_TYPES = {"human": "user", "ai": "assistant", "developer": "system", **{t: t for t in SENDER_TYPES}}


def sender_type(role: str) -> str:
    """The chat's sender type for a role (LangChain's and OpenAI's names included); anything else,
    tool calls and their results among them, belongs to the assistant's turn."""
    return _SENDER_TYPES.get(role, "assistant")


@attrs.frozen
class MemoryItem:
    """One stored item, as read back; `summary_of` is set on summaries only."""

    id: str
    role: str
    content: str
    payload: dict[str, Any] | None
    created_at: datetime
    sequence: int
    tokens: int
    summary_of: str | None = None

    @property
    def is_summary(self) -> bool:
        return self.summary_of is not None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class NewItem:
    """An item checked for storage, before it has an id and a place."""

    role: str
    content: str
    payload: dict[str, Any] | None
    tokens: int


def check_item(item: Any, count: TokenCounter) -> NewItem:
    """A mapping with `role`, `content` and optionally `payload`, checked; InvalidInput otherwise."""
    if not isinstance(item, Mapping):
        raise InvalidInput(f"an item must be a mapping with role and content, got {type(item).__name__}")
    unknown = set(item) - {"role", "content", "payload"}
    if unknown:
        raise InvalidInput(f"unknown item field {', '.join(sorted(map(str, unknown)))}")
    role = check_text("role", item.get("role"), max_length=ROLE_MAX_LENGTH, empty=False)
    content = check_text("content", item.get("content"), max_length=MAX_CONTENT_CHARS, empty=False)
    payload = item.get("payload")
    if payload is not None:
        payload = check_json_object("payload", payload)
        if len(payload) and len(json.dumps(payload)) > MAX_PAYLOAD_CHARS:
            raise InvalidInput(f"an item's payload is larger than {MAX_PAYLOAD_CHARS} characters of JSON")
    tokens = count(content)
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
        raise InvalidInput(f"the token counter must return a non-negative integer, got {tokens!r}")
    return NewItem(role, content, payload, tokens)


def check_items(items: Any, count: TokenCounter) -> list[NewItem]:
    if isinstance(items, Mapping | str | bytes):
        raise InvalidInput("items must be a list of items")
    checked = [check_item(item, count) for item in items]
    if len(checked) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} items can be added at once, got {len(checked)}")
    return checked


def check_limit(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a non-negative integer or None, got {value!r}")
    return value


@attrs.define
class Budget:
    """What a window may still take: items and tokens; the newest items are offered first."""

    max_items: int | None
    max_tokens: int | None
    items: int = 0
    tokens: int = 0

    def admit(self, tokens: int) -> bool:
        """Take an item if it fits; once one does not, the window ends there."""
        if self.max_items is not None and self.items + 1 > self.max_items:
            return False
        if self.max_tokens is not None and self.tokens + tokens > self.max_tokens:
            return False
        self.items += 1
        self.tokens += tokens
        return True
