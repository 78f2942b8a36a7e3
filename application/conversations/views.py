"""The read model of the conversations context: frozen views and the ports serving them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.conversations.model import Conversation, KnowledgeChunk, Message, User
from memcore.domain.shared.specification import Field, Query, Specification, as_query


def _as_dict(view: Any) -> dict[str, Any]:
    data = attrs.asdict(view)
    for name, value in data.items():
        if isinstance(value, datetime):
            data[name] = value.isoformat()
    return data


@attrs.frozen
class UserView:
    id: str
    external_id: str | None
    name: str | None
    email: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.id, user.external_id, user.name, user.email, user.created_at, user.updated_at)

    to_dict = _as_dict


@attrs.frozen
class ConversationView:
    id: str
    user_id: str | None
    title: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, c: Conversation) -> ConversationView:
        return cls(c.id, c.user_id, c.title, c.status, c.created_at, c.updated_at, c.version)

    to_dict = _as_dict


@attrs.frozen
class MessageView:
    id: str
    conversation_id: str
    sender_type: str
    content: str
    role_metadata: dict[str, Any] | None
    created_at: datetime
    sequence: int

    @classmethod
    def of(cls, m: Message) -> MessageView:
        return cls(m.id, m.conversation_id, m.sender_type, m.content, m.role_metadata, m.created_at, m.sequence)

    to_dict = _as_dict


@attrs.frozen
class KnowledgeChunkView:
    id: str
    source: str
    external_id: str
    title: str | None
    content: str
    chunk_metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, k: KnowledgeChunk) -> KnowledgeChunkView:
        return cls(k.id, k.source, k.external_id, k.title, k.content, k.chunk_metadata, k.created_at, k.updated_at)

    to_dict = _as_dict


class UserViews(Protocol):
    def get(self, user_id: str) -> UserView | None: ...

    def get_by_email(self, email: str) -> UserView | None: ...

    def get_by_external_id(self, external_id: str) -> UserView | None: ...

    def list(self, query: Specification | Query | None = None) -> list[UserView]: ...

    def count(self, spec: Specification | None = None) -> int: ...


class ConversationViews(Protocol):
    def get(self, conversation_id: str) -> ConversationView | None: ...

    def list(self, query: Specification | Query | None = None) -> list[ConversationView]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def get_message(self, message_id: str) -> MessageView | None: ...

    def list_messages(self, query: Specification | Query | None = None) -> list[MessageView]: ...

    def count_messages(self, spec: Specification | None = None) -> int: ...


class KnowledgeViews(Protocol):
    def get(self, chunk_id: str) -> KnowledgeChunkView | None: ...

    def list(self, query: Specification | Query | None = None) -> list[KnowledgeChunkView]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def search(self, text: str, limit: int, source: str | None = None) -> list[KnowledgeChunkView]:
        """Chunks whose title or content hold every word of `text`, best match first."""
        ...


# -- reference implementations on any Unit of Work's repositories (the fakes use these) ---------


class RepositoryUserViews:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def _one(self, find: Any) -> UserView | None:
        with self.uow:
            user = find(self.uow.users)
            return None if user is None else UserView.of(user)

    def get(self, user_id: str) -> UserView | None:
        return self._one(lambda users: users.get(user_id))

    def get_by_email(self, email: str) -> UserView | None:
        return self._one(lambda users: users.get_by_email(email))

    def get_by_external_id(self, external_id: str) -> UserView | None:
        return self._one(lambda users: users.get_by_external_id(external_id))

    def list(self, query: Specification | Query | None = None) -> list[UserView]:
        with self.uow:
            return [UserView.of(u) for u in self.uow.users.list(as_query(query))]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.users.count(spec)


class RepositoryConversationViews:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, conversation_id: str) -> ConversationView | None:
        with self.uow:
            found = self.uow.conversations.get(conversation_id)
            return None if found is None else ConversationView.of(found)

    def list(self, query: Specification | Query | None = None) -> list[ConversationView]:
        with self.uow:
            return [ConversationView.of(c) for c in self.uow.conversations.list(as_query(query))]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.conversations.count(spec)

    def get_message(self, message_id: str) -> MessageView | None:
        with self.uow:
            found = self.uow.conversations.get_message(message_id)
            return None if found is None else MessageView.of(found)

    def list_messages(self, query: Specification | Query | None = None) -> list[MessageView]:
        with self.uow:
            return [MessageView.of(m) for m in self.uow.conversations.list_messages(as_query(query))]

    def count_messages(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.conversations.count_messages(spec)


_WORD = re.compile(r"[^\W_]+")


def search_terms(text: str) -> list[str]:
    """Runs of letters and digits, lower-cased: punctuation and query syntax are never operators."""
    return [word.lower() for word in _WORD.findall(text)]


class RepositoryKnowledgeViews:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, chunk_id: str) -> KnowledgeChunkView | None:
        with self.uow:
            found = self.uow.knowledge.get(chunk_id)
            return None if found is None else KnowledgeChunkView.of(found)

    def list(self, query: Specification | Query | None = None) -> list[KnowledgeChunkView]:
        with self.uow:
            return [KnowledgeChunkView.of(k) for k in self.uow.knowledge.list(as_query(query))]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.knowledge.count(spec)

    def search(self, text: str, limit: int, source: str | None = None) -> list[KnowledgeChunkView]:
        terms = set(search_terms(text))
        if not terms or limit == 0:
            return []
        ranked = []
        for chunk in self.list(None if source is None else Field("source") == source):
            words = search_terms(f"{chunk.title or ''} {chunk.content}")
            if terms <= set(words):
                ranked.append((-sum(word in terms for word in words), chunk.id, chunk))
        ranked.sort(key=lambda item: item[:2])
        return [chunk for *_, chunk in ranked[:limit]]
