"""The module-level API of the chat database layer memcore replaces, on memcore's use cases.

Configuration comes from the environment when first needed (never at import): `DATABASE_URL`,
else `DB_HOST`/`DB_PORT`/`DB_NAME`/`DB_USER`/`DB_PASSWORD` (PostgreSQL), else SQLite at `DB_PATH`,
and `DB_ECHO` (see infrastructure/settings.py). `dispose_engine()` forgets the engine, so the
next call reads the environment again.

    init_db()
    with get_session() as session:          # commits on success, rolls back on an error
        user, created = get_or_create_user_by_external_id(session, "auth0|42", name="Ann")
        conversation = create_conversation(session, user_id=user.id, title="Trip")
        add_message(session, conversation.id, "user", "Hello", role_metadata={"client": "web"})

The session is a `ChatSession` (infrastructure/compat/chat_session.py): one memcore Unit of Work
whose use cases each run in a savepoint of its transaction. The functions return memcore's
entities (`User`, `Conversation`, `Message`, `KnowledgeChunk`), `None` for an unknown id and
`False` when deleting one; bad input raises memcore's domain errors and writes nothing. A refused
call leaves the session usable (its savepoint alone is rolled back).

Entities stay readable after their session ends (what a bulk write inside the session marked stale
is loaded again before the commit), except those deleted in it. Conversations and messages are
snapshots: change them through the functions here, not by setting attributes.
"""

import enum
import uuid
from typing import Any

from memcore.application.conversations import commands
from memcore.domain.conversations.model import (
    STATUSES,
    Conversation,
    KnowledgeChunk,
    Message,
    User,
    check_uuid,
    email_key,
)
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query, Specification
from memcore.domain.shared.validation import check_id, check_text, shown
from memcore.infrastructure.compat.chat_db import (
    create_database_engine,
    dispose_engine,
    drop_db,
    get_database_url,
    get_engine,
    get_session,
    init_db,
    reset_db,
    session_scope,
)
from memcore.infrastructure.compat.chat_models import MessageSenderType, relating
from memcore.infrastructure.compat.chat_session import ChatSession

__all__ = [
    "ChatSession",
    "Conversation",
    "KnowledgeChunk",
    "Message",
    "MessageSenderType",
    "User",
    "add_message",
    "archive_conversation",
    "bulk_upsert_knowledge_chunks",
    "create_conversation",
    "create_database_engine",
    "create_user",
    "delete_conversation",
    "delete_knowledge_chunk",
    "delete_message",
    "delete_user",
    "dispose_engine",
    "drop_db",
    "get_conversation_by_id",
    "get_conversation_message_count",
    "get_database_url",
    "get_engine",
    "get_knowledge_chunk_by_external_id",
    "get_knowledge_chunk_by_id",
    "get_message_by_id",
    "get_or_create_user_by_external_id",
    "get_session",
    "get_user_by_email",
    "get_user_by_external_id",
    "get_user_by_id",
    "init_db",
    "list_all_conversations",
    "list_all_knowledge_chunks",
    "list_conversations_for_user",
    "list_messages_for_conversation",
    "list_users",
    "reset_db",
    "search_knowledge_chunks_by_source",
    "session_scope",
    "update_conversation",
    "update_user",
    "upsert_knowledge_chunk",
]

# -- helpers ------------------------------------------------------------------------------------

NEWEST_FIRST = (Field("created_at").desc(),)
OLDEST_FIRST = (Field("created_at").asc(),)


def _plain(value: Any) -> Any:
    """Enums (the original's MessageSenderType, a status enum) become their values."""
    return value.value if isinstance(value, enum.Enum) else value


def _page(where: Specification | None, order: tuple, limit: int, offset: int) -> Query:
    return Query(where=where if where is not None else Query().where, order_by=order, limit=limit, offset=offset)


def _status(status: Any) -> str | None:
    status = _plain(status)
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {shown(status)}; expected one of {', '.join(STATUSES)}")
    return status


# -- users --------------------------------------------------------------------------------------


@relating
def create_user(
    session: ChatSession, email: str | None = None, name: str | None = None, external_id: str | None = None
) -> User:
    """AlreadyExists when the email (case-insensitively) or the external id is taken."""
    view = session.services.bus.handle(commands.CreateUser(external_id=external_id, name=name, email=email))
    return _found(session.uow.users.get(view.id))


@relating
def get_user_by_id(session: ChatSession, user_id: str | uuid.UUID) -> User | None:
    return session.uow.users.get(check_uuid("user_id", user_id))


@relating
def get_user_by_email(session: ChatSession, email: str) -> User | None:
    """Emails compare case-insensitively."""
    return session.uow.users.get_by_email(email_key(check_text("email", email)) or "")


@relating
def get_user_by_external_id(session: ChatSession, external_id: str) -> User | None:
    return session.uow.users.get_by_external_id(check_id("external_id", external_id))


@relating
def get_or_create_user_by_external_id(
    session: ChatSession, external_id: str, email: str | None = None, name: str | None = None
) -> tuple[User, bool]:
    """(user, created); two callers racing for a new external id end with one user."""
    view, created = session.services.bus.handle(commands.GetOrCreateUser(external_id, name=name, email=email))
    return _found(session.uow.users.get(view.id)), created


@relating
def list_users(session: ChatSession, limit: int = 100, offset: int = 0) -> list[User]:
    """Oldest first."""
    return session.uow.users.list(_page(None, OLDEST_FIRST, limit, offset))


@relating
def update_user(
    session: ChatSession, user_id: str | uuid.UUID, email: str | None = None, name: str | None = None
) -> User | None:
    """Changes what is not None; None when there is no such user."""
    user = get_user_by_id(session, user_id)
    if user is None:
        return None
    changes = {k: v for k, v in (("email", email), ("name", name)) if v is not None}
    if changes:
        session.services.bus.handle(commands.UpdateUser(user.id, changes))
    return user


def delete_user(session: ChatSession, user_id: str | uuid.UUID) -> bool:
    """Deletes the user's conversations and their messages too; False when there is no such user."""
    return session.services.bus.handle(commands.DeleteUser(check_uuid("user_id", user_id)))


# -- conversations ------------------------------------------------------------------------------


@relating
def create_conversation(
    session: ChatSession, user_id: str | uuid.UUID | None = None, title: str | None = None, status: str = "active"
) -> Conversation:
    """NotFound when `user_id` names no user; `status="archived"` starts it archived."""
    status = _status(status)
    user = None if user_id is None else check_uuid("user_id", user_id)
    view = session.services.bus.handle(commands.StartConversation(user_id=user, title=title))
    if status == "archived":
        session.services.bus.handle(commands.ArchiveConversation(view.id))
    return _found(session.uow.conversations.get(view.id))


@relating
def get_conversation_by_id(session: ChatSession, conversation_id: str | uuid.UUID) -> Conversation | None:
    return session.uow.conversations.get(check_uuid("conversation_id", conversation_id))


@relating
def list_conversations_for_user(
    session: ChatSession, user_id: str | uuid.UUID, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[Conversation]:
    """Newest first."""
    where = Field("user_id") == check_uuid("user_id", user_id)
    if (status := _status(status)) is not None:
        where = where & (Field("status") == status)
    return session.uow.conversations.list(_page(where, NEWEST_FIRST, limit, offset))


@relating
def list_all_conversations(
    session: ChatSession, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[Conversation]:
    """Newest first."""
    status = _status(status)
    where = None if status is None else Field("status") == status
    return session.uow.conversations.list(_page(where, NEWEST_FIRST, limit, offset))


@relating
def update_conversation(
    session: ChatSession, conversation_id: str | uuid.UUID, title: str | None = None, status: str | None = None
) -> Conversation | None:
    """Changes what is not None ("archived" archives, "active" reopens); None when there is none."""
    conversation = get_conversation_by_id(session, conversation_id)
    if conversation is None:
        return None
    changes = {k: v for k, v in (("title", title), ("status", _status(status))) if v is not None}
    if changes:
        session.services.bus.handle(commands.UpdateConversation(conversation.id, changes))
    return conversation


@relating
def archive_conversation(session: ChatSession, conversation_id: str | uuid.UUID) -> Conversation | None:
    """Archiving twice is harmless; None when there is no such conversation."""
    return update_conversation(session, conversation_id, status="archived")


def delete_conversation(session: ChatSession, conversation_id: str | uuid.UUID) -> bool:
    """Deletes its messages too; False when there is no such conversation."""
    return session.services.bus.handle(commands.DeleteConversation(check_uuid("conversation_id", conversation_id)))


# -- messages -----------------------------------------------------------------------------------


def add_message(
    session: ChatSession,
    conversation_id: str | uuid.UUID,
    sender_type: str,
    content: str,
    role_metadata: dict[str, Any] | None = None,
) -> Message:
    """NotFound for an unknown conversation; InvalidInput when the message is bad. An archived
    conversation takes messages, as in the replaced store (memcore's own use case refuses them)."""
    command = commands.PostMessage(
        check_uuid("conversation_id", conversation_id), _plain(sender_type), content, role_metadata,
        even_if_archived=True,
    )  # fmt: skip
    view = session.services.bus.handle(command)
    return _found(session.uow.conversations.get_message(view.id))


def get_message_by_id(session: ChatSession, message_id: str | uuid.UUID) -> Message | None:
    return session.uow.conversations.get_message(check_uuid("message_id", message_id))


def list_messages_for_conversation(
    session: ChatSession,
    conversation_id: str | uuid.UUID,
    limit: int = 100,
    offset: int = 0,
    sender_type: str | None = None,
) -> list[Message]:
    """Oldest first, in posting order within one microsecond."""
    where = Field("conversation_id") == check_uuid("conversation_id", conversation_id)
    if (sender_type := _plain(sender_type)) is not None:
        where = where & (Field("sender_type") == sender_type)
    order = (Field("created_at").asc(), Field("sequence").asc())
    return session.uow.conversations.list_messages(_page(where, order, limit, offset))


def get_conversation_message_count(session: ChatSession, conversation_id: str | uuid.UUID) -> int:
    where = Field("conversation_id") == check_uuid("conversation_id", conversation_id)
    return session.uow.conversations.count_messages(where)


def delete_message(session: ChatSession, message_id: str | uuid.UUID) -> bool:
    return session.services.bus.handle(commands.DeleteMessage(check_uuid("message_id", message_id)))


# -- knowledge ----------------------------------------------------------------------------------


def _merged(session: ChatSession, item: dict[str, Any]) -> dict[str, Any]:
    """As the original: a title or metadata left out (None) keeps the stored chunk's; a chunk
    without an external id is always a new one (it gets a fresh UUID as its external id)."""
    if not isinstance(item, dict):
        raise InvalidInput(f"a knowledge chunk must be a mapping, got {type(item).__name__}")
    data = dict(item)
    if data.get("external_id") is None:
        data["external_id"] = str(uuid.uuid4())
        return data
    if data.get("title") is None or data.get("chunk_metadata") is None:
        stored = session.uow.knowledge.get_by_key(check_id("source", data.get("source")),
                                                  check_id("external_id", data["external_id"]))  # fmt: skip
        if stored is not None:
            for name in ("title", "chunk_metadata"):
                if data.get(name) is None:
                    data[name] = getattr(stored, name)
    return data


def upsert_knowledge_chunk(
    session: ChatSession,
    source: str,
    content: str,
    external_id: str | None = None,
    title: str | None = None,
    chunk_metadata: dict[str, Any] | None = None,
) -> KnowledgeChunk:
    """Insert, or update the chunk with this `(source, external_id)`."""
    data = _merged(session, {"source": source, "external_id": external_id, "content": content, "title": title,
                             "chunk_metadata": chunk_metadata})  # fmt: skip
    view, _ = session.services.bus.handle(commands.UpsertKnowledgeChunk(**data))
    return _found(session.uow.knowledge.get(view.id))


def bulk_upsert_knowledge_chunks(session: ChatSession, chunks: list[dict[str, Any]]) -> list[KnowledgeChunk]:
    """Dicts with source, content and optionally external_id, title, chunk_metadata; all or nothing.

    Returns the stored chunks in the order given (a key given twice: its last version, twice).
    """
    items = [_merged(session, item) for item in chunks]
    session.services.bus.handle(commands.BulkUpsertKnowledgeChunks(items))
    keys = [(item["source"], item["external_id"]) for item in items]
    stored: dict[tuple[str, str], KnowledgeChunk] = {}
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    for source, external_ids in by_source.items():
        for start in range(0, len(external_ids), 500):
            where = (Field("source") == source) & Field("external_id").is_in(external_ids[start : start + 500])
            stored.update((chunk.key, chunk) for chunk in session.uow.knowledge.list(Query(where=where)))
    return [stored[key] for key in keys]


def get_knowledge_chunk_by_id(session: ChatSession, chunk_id: str | uuid.UUID) -> KnowledgeChunk | None:
    return session.uow.knowledge.get(check_uuid("chunk_id", chunk_id))


def get_knowledge_chunk_by_external_id(
    session: ChatSession, external_id: str, source: str | None = None
) -> KnowledgeChunk | None:
    """Within `source` if given; else the first by source name among the sources having it."""
    where = Field("external_id") == check_id("external_id", external_id)
    if source is not None:
        where = where & (Field("source") == check_id("source", source))
    found = session.uow.knowledge.list(Query(where=where, order_by=[Field("source").asc()], limit=1))
    return found[0] if found else None


def search_knowledge_chunks_by_source(
    session: ChatSession, source: str, limit: int = 100, offset: int = 0
) -> list[KnowledgeChunk]:
    """The source's chunks, oldest first."""
    where = Field("source") == check_id("source", source)
    return session.uow.knowledge.list(_page(where, OLDEST_FIRST, limit, offset))


def list_all_knowledge_chunks(session: ChatSession, limit: int = 100, offset: int = 0) -> list[KnowledgeChunk]:
    """Oldest first."""
    return session.uow.knowledge.list(_page(None, OLDEST_FIRST, limit, offset))


def delete_knowledge_chunk(session: ChatSession, chunk_id: str | uuid.UUID) -> bool:
    return session.services.bus.handle(commands.DeleteKnowledgeChunk(check_uuid("chunk_id", chunk_id)))


def _found(entity: Any) -> Any:
    """An entity the use case just wrote, read back through the session."""
    if entity is None:  # not an assert: it must hold under `python -O` too
        raise RuntimeError("a written entity could not be read back in its own session")
    return entity
