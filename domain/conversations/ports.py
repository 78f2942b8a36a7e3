"""The storage ports of the conversations context and the fields a Specification may name."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from memcore.domain.conversations.model import Conversation, KnowledgeChunk, Message, User
from memcore.domain.shared.specification import Query, Specification

USER_FIELDS: dict[str, type] = {
    "id": str,
    "external_id": str,
    "name": str,
    "email": str,
    "email_key": str,
    "created_at": datetime,
    "updated_at": datetime,
}
CONVERSATION_FIELDS: dict[str, type] = {
    "id": str,
    "user_id": str,
    "title": str,
    "status": str,
    "created_at": datetime,
    "updated_at": datetime,
    "version": int,
}
MESSAGE_FIELDS: dict[str, type] = {
    "id": str,
    "conversation_id": str,
    "sender_type": str,
    "content": str,
    "created_at": datetime,
    "sequence": int,
}
CHUNK_FIELDS: dict[str, type] = {
    "id": str,
    "source": str,
    "external_id": str,
    "title": str,
    "content": str,
    "created_at": datetime,
    "updated_at": datetime,
}


class UserRepository(Protocol):
    """Users; an email (compared case-insensitively) and an external id each belong to one user."""

    seen: set[User]

    def add(self, user: User) -> None: ...

    def get(self, user_id: str) -> User | None: ...

    def get_by_email(self, email: str) -> User | None: ...

    def get_by_external_id(self, external_id: str) -> User | None: ...

    def list(self, query: Specification | Query | None = None) -> list[User]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int:
        """Delete matching users, their conversations and those conversations' messages."""
        ...


class ConversationRepository(Protocol):
    """Conversations, and the messages they own.

    Messages a conversation posted or removed are written at commit, with the conversation's new
    version; a conversation whose stored version moved on meanwhile raises ConcurrencyError.
    """

    seen: set[Conversation]

    def add(self, conversation: Conversation) -> None: ...

    def get(self, conversation_id: str, for_update: bool = False) -> Conversation | None:
        """`for_update`: the row stays locked until the transaction ends, for a writer that reads
        to change it (other writers wait instead of meeting a stale version)."""
        ...

    def list(self, query: Specification | Query | None = None) -> list[Conversation]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int:
        """Delete matching conversations and their messages."""
        ...

    def get_message(self, message_id: str) -> Message | None: ...

    def list_messages(self, query: Specification | Query | None = None) -> list[Message]: ...

    def count_messages(self, spec: Specification | None = None) -> int: ...


class KnowledgeRepository(Protocol):
    """Knowledge chunks, written by insert-or-update on `(source, external_id)`."""

    seen: set[KnowledgeChunk]

    def upsert(self, chunks: list[KnowledgeChunk]) -> None:
        """Insert new chunks; a stored chunk with the same key takes their title, content, metadata
        and updated_at and keeps its id and created_at. Keys must be distinct within one call."""
        ...

    def get(self, chunk_id: str) -> KnowledgeChunk | None: ...

    def get_by_key(self, source: str, external_id: str) -> KnowledgeChunk | None: ...

    def list(self, query: Specification | Query | None = None) -> list[KnowledgeChunk]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...
