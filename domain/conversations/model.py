"""User, the Conversation aggregate with its Messages, and KnowledgeChunk."""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import attrs

from memcore.domain.conversations.events import ConversationArchived, ConversationStarted, MessagePosted, UserCreated
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.events import DomainEvent
from memcore.domain.shared.validation import (
    check_all,
    check_id,
    check_json_object,
    check_text,
    check_utc,
    on_setattr,
    one_of,
    optional,
    shown,
)

ACTIVE, ARCHIVED = "active", "archived"
STATUSES = (ACTIVE, ARCHIVED)
SENDER_TYPES = ("user", "assistant", "system")
SHORT_TEXT = 255  # indexed or unique columns
MAX_VERSION = 2**31 - 1
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.][^@\s]*")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def check_uuid(name: str, value: Any) -> str:
    """A UUID (object or text in any standard spelling), returned in canonical lower-case text."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a UUID, got {type(value).__name__}")
    if _CANONICAL_UUID.fullmatch(value):  # already canonical: what parsing would give back
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{name} is not a UUID: {shown(value[:64])}") from None


def check_email(name: str, value: Any) -> str:
    check_text(name, value, max_length=SHORT_TEXT, empty=False)
    if not _EMAIL.fullmatch(value):
        raise InvalidInput(f"{name} is not an email address: {shown(value[:64])}")
    return value


def email_key(email: str | None) -> str | None:
    """What makes two emails the same address: they are compared case-insensitively."""
    return None if email is None else email.lower()


def _short(name: str, value: Any) -> str:
    return check_text(name, value, max_length=SHORT_TEXT)


def _counter(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VERSION:
        raise InvalidInput(f"{name} must be an integer from 0 to {MAX_VERSION}, got {shown(value)}")
    return value


def _content(name: str, value: Any) -> str:
    return check_text(name, value, empty=False)


# -- users ------------------------------------------------------------------------------------

_USER_RULES: dict[str, Any] = {
    "id": check_uuid,
    "external_id": optional(check_id),
    "name": optional(_short),
    "email": optional(check_email),
    "created_at": check_utc,
    "updated_at": check_utc,
}
USER_CHANGEABLE = ("external_id", "name", "email")
_user_rules_hook = on_setattr(_USER_RULES)


def _user_setattr(instance: Any, attribute: Any, value: Any) -> Any:
    value = _user_rules_hook(instance, attribute, value)
    if attribute.name == "email":  # the lower-case twin that storage keeps unique
        object.__setattr__(instance, "email_key", email_key(value))
    return value


@attrs.define(slots=False, eq=False, on_setattr=_user_setattr)
class User:
    """Someone who talks to the chatbot; `external_id` is their id in the host's auth system."""

    id: str = attrs.field(factory=new_id)
    external_id: str | None = None
    name: str | None = None
    email: str | None = None
    created_at: datetime = attrs.field(factory=utc_now)
    updated_at: datetime = attrs.field(factory=utc_now)
    email_key: str | None = attrs.field(default=None, init=False)
    events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _USER_RULES)
        object.__setattr__(self, "email_key", email_key(self.email))

    @classmethod
    def create(cls, **fields: Any) -> "User":
        user = cls(**fields)
        user.events.append(UserCreated(user.id, user.external_id))
        return user

    def update(self, changes: dict[str, Any], at: datetime) -> None:
        """Change name, email or external id; every value is checked before any is applied."""
        if not isinstance(changes, dict):
            raise InvalidInput(f"changes must be a mapping, got {type(changes).__name__}")
        unknown = set(changes) - set(USER_CHANGEABLE)
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a user")
        checked = {name: _USER_RULES[name](name, value) for name, value in changes.items()}
        at = check_utc("updated_at", at)
        for name, value in checked.items():
            setattr(self, name, value)
        self.updated_at = at


# -- conversations and messages -----------------------------------------------------------------

_MESSAGE_RULES: dict[str, Any] = {
    "id": check_uuid,
    "conversation_id": check_uuid,
    "sender_type": one_of(SENDER_TYPES, "sender type"),
    "content": _content,
    "role_metadata": optional(check_json_object),
    "created_at": check_utc,
    "sequence": _counter,
}


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_MESSAGE_RULES))
class Message:
    """One message of a conversation; `sequence` keeps the posting order within the conversation."""

    conversation_id: str
    sender_type: str
    content: str
    role_metadata: dict[str, Any] | None = None
    id: str = attrs.field(factory=new_id)
    created_at: datetime = attrs.field(factory=utc_now)
    sequence: int = 0
    events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _MESSAGE_RULES)


_CONVERSATION_RULES: dict[str, Any] = {
    "id": check_uuid,
    "user_id": optional(check_uuid),
    "title": optional(check_text),
    "status": one_of(STATUSES, "status"),
    "created_at": check_utc,
    "updated_at": check_utc,
    "version": _counter,
}


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_CONVERSATION_RULES))
class Conversation:
    """The aggregate: a conversation and the messages posted to it.

    Its messages are not loaded with it. `post()` and `remove_message()` record what changes in
    `new_messages` and `removed_messages`, which storage writes at commit together with the
    conversation. Every change raises `version`; storage refuses to write over a version another
    unit of work has committed meanwhile (optimistic concurrency).
    """

    user_id: str | None = None
    title: str | None = None
    id: str = attrs.field(factory=new_id)
    status: str = ACTIVE
    created_at: datetime = attrs.field(factory=utc_now)
    updated_at: datetime = attrs.field(factory=utc_now)
    version: int = 1
    events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False)
    new_messages: list[Message] = attrs.field(factory=list, init=False, repr=False)
    removed_messages: list[str] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _CONVERSATION_RULES)

    @classmethod
    def start(cls, **fields: Any) -> "Conversation":
        conversation = cls(**fields)
        conversation.events.append(ConversationStarted(conversation.id, conversation.user_id))
        return conversation

    @property
    def archived(self) -> bool:
        return self.status == ARCHIVED

    def _touch(self, at: datetime) -> None:
        if self.version >= MAX_VERSION:
            raise InvalidInput(f"conversation {self.id} cannot change any more (version limit)")
        self.updated_at = at
        self.version += 1

    def post(
        self,
        sender_type: str,
        content: str,
        at: datetime,
        role_metadata: dict[str, Any] | None = None,
        message_id: str | None = None,
        *,
        even_if_archived: bool = False,
    ) -> Message:
        """Add a message; refused once the conversation is archived, unless `even_if_archived` (the
        rule of the chat store memcore replaces, which its drop-in keeps)."""
        if self.archived and not even_if_archived:
            raise InvalidInput(f"conversation {self.id} is archived; no more messages can be posted")
        at = check_utc("created_at", at)
        fields: dict[str, Any] = {} if message_id is None else {"id": message_id}
        message = Message(self.id, sender_type, content, role_metadata, created_at=at, sequence=self.version, **fields)
        self._touch(at)
        self.new_messages.append(message)
        self.events.append(MessagePosted(self.id, message.id, message.sender_type))
        return message

    def remove_message(self, message: Message, at: datetime) -> None:
        if message.conversation_id != self.id:
            raise InvalidInput(f"message {message.id} is not part of conversation {self.id}")
        self._touch(check_utc("updated_at", at))
        self.removed_messages.append(message.id)

    def rename(self, title: str | None, at: datetime) -> None:
        title = _CONVERSATION_RULES["title"]("title", title)
        at = check_utc("updated_at", at)
        if title != self.title:
            self.title = title
            self._touch(at)

    def archive(self, at: datetime) -> None:
        """Archiving an archived conversation changes nothing."""
        at = check_utc("updated_at", at)
        if not self.archived:
            self.status = ARCHIVED
            self._touch(at)
            self.events.append(ConversationArchived(self.id))

    def reopen(self, at: datetime) -> None:
        at = check_utc("updated_at", at)
        if self.archived:
            self.status = ACTIVE
            self._touch(at)


# -- knowledge ----------------------------------------------------------------------------------

_CHUNK_RULES: dict[str, Any] = {
    "id": check_uuid,
    "source": check_id,
    "external_id": check_id,
    "title": optional(check_text),
    "content": check_text,
    "chunk_metadata": check_json_object,
    "created_at": check_utc,
    "updated_at": check_utc,
}
CHUNK_CONTENT = ("title", "content", "chunk_metadata")
CHUNK_FIELD_NAMES = tuple(_CHUNK_RULES)


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_CHUNK_RULES))
class KnowledgeChunk:
    """A piece of a document the chatbot answers from; `(source, external_id)` identifies it."""

    source: str
    external_id: str
    content: str
    title: str | None = None
    chunk_metadata: dict[str, Any] = attrs.field(factory=dict)
    id: str = attrs.field(factory=new_id)
    created_at: datetime = attrs.field(factory=utc_now)
    updated_at: datetime = attrs.field(factory=utc_now)
    events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _CHUNK_RULES)

    @classmethod
    def checked(cls, **fields: Any) -> "KnowledgeChunk":
        """The same rules as the constructor, the values then set in one go: the bulk path, where
        running every attribute assignment through its hooks costs more than the checks."""
        values = {"title": None, "chunk_metadata": {}, **fields}
        missing = {"source", "external_id", "content", "id", "created_at", "updated_at"} - values.keys()
        if missing or len(values) != len(_CHUNK_RULES):
            raise InvalidInput(f"a knowledge chunk needs exactly the fields {', '.join(_CHUNK_RULES)}")
        chunk = object.__new__(cls)
        chunk.__dict__.update({name: rule(name, values[name]) for name, rule in _CHUNK_RULES.items()}, events=[])
        return chunk

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)

    def replace_content(self, other: "KnowledgeChunk") -> None:
        """Take title, content and metadata of a newer version of the same chunk."""
        for name in CHUNK_CONTENT:
            setattr(self, name, getattr(other, name))
        self.updated_at = other.updated_at
