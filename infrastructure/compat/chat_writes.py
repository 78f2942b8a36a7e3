"""The write side of the replaced chat models, on memcore's use cases: what the original's
`session.add(obj)` / `session.delete(obj)` and its dynamic relationships' `append` / `remove` did.

An entity built by the caller (`Message(conversation_id=..., sender_type="user", content="hi")`,
`Conversation(title=...)`, `User(email=...)`) is written by the matching use case, keeping its id,
and then reads as stored (timestamps, sequence, version). Adding an entity that is stored already
changes nothing (its attribute changes are written at commit, as they were). Whatever the
use cases refuse raises their error and writes nothing.
"""

from typing import Any

import attrs

from memcore.application.conversations import commands
from memcore.domain.conversations.model import Conversation, KnowledgeChunk, Message, User
from memcore.domain.shared.errors import InvalidInput

_NOT_COPIED = frozenset({"events", "new_messages", "removed_messages"})


def _read_as(target: Any, stored: Any) -> Any:
    """`target` given the stored entity's values (it is the caller's object, so it stays theirs)."""
    for field in attrs.fields(type(stored)):
        if field.name not in _NOT_COPIED:
            setattr(target, field.name, getattr(stored, field.name))
    return target


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def post(session: Any, conversation_id: str, message: Message) -> Message:
    """`message` posted to the conversation (an archived one too, as in the original)."""
    if not isinstance(message, Message):
        raise InvalidInput(f"a conversation's messages are Messages, got {type(message).__name__}")
    stored = session.uow.conversations.get_message(message.id)
    if stored is None or stored.conversation_id != conversation_id:
        command = commands.PostMessage(
            conversation_id, _plain(message.sender_type), message.content, message.role_metadata, id=message.id,
            even_if_archived=True,
        )  # fmt: skip
        stored = session.uow.conversations.get_message(session.services.bus.handle(command).id)
    return _read_as(message, stored)


def start(session: Any, user_id: str | None, conversation: Conversation) -> Conversation:
    """`conversation` started for `user_id` (archived at once when it says so)."""
    if not isinstance(conversation, Conversation):
        raise InvalidInput(f"a user's conversations are Conversations, got {type(conversation).__name__}")
    stored = session.uow.conversations.get(conversation.id)
    if stored is None or stored.user_id != user_id:
        bus = session.services.bus
        view = bus.handle(commands.StartConversation(user_id=user_id, title=conversation.title, id=conversation.id))
        if _plain(conversation.status) == "archived":
            bus.handle(commands.ArchiveConversation(view.id))
        stored = session.uow.conversations.get(view.id)
    return _read_as(conversation, stored)


def add(session: Any, entity: Any) -> Any:
    """`session.add(entity)`: a user, conversation, message or knowledge chunk written."""
    bus = session.services.bus
    if isinstance(entity, Message):
        return post(session, entity.conversation_id, entity)
    if isinstance(entity, Conversation):
        return start(session, entity.user_id, entity)
    if isinstance(entity, User):
        if session.uow.users.get(entity.id) is None:
            bus.handle(commands.CreateUser(entity.external_id, entity.name, entity.email, id=entity.id))
        return _read_as(entity, session.uow.users.get(entity.id))
    if isinstance(entity, KnowledgeChunk):
        command = commands.UpsertKnowledgeChunk(
            entity.source, entity.external_id, entity.content, entity.title, entity.chunk_metadata
        )
        view, _created = bus.handle(command)
        return _read_as(entity, session.uow.knowledge.get(view.id))
    raise InvalidInput(f"cannot add a {type(entity).__name__}: not a User, Conversation, Message or KnowledgeChunk")


def delete(session: Any, entity: Any) -> None:
    """`session.delete(entity)`: the entity (and what it owns) deleted; one not stored is refused."""
    deleting = {
        User: lambda e: commands.DeleteUser(e.id),
        Conversation: lambda e: commands.DeleteConversation(e.id),
        Message: lambda e: commands.DeleteMessage(e.id),
        KnowledgeChunk: lambda e: commands.DeleteKnowledgeChunk(e.id),
    }
    for kind, command in deleting.items():
        if isinstance(entity, kind):
            if not session.services.bus.handle(command(entity)):
                raise InvalidInput(f"{kind.__name__} {entity.id} is not stored")
            return
    raise InvalidInput(f"cannot delete a {type(entity).__name__}")
