"""Events raised by the conversations context."""

import attrs

from memcore.domain.shared.events import DomainEvent


@attrs.frozen
class UserCreated(DomainEvent):
    user_id: str
    external_id: str | None


@attrs.frozen
class ConversationStarted(DomainEvent):
    conversation_id: str
    user_id: str | None


@attrs.frozen
class ConversationArchived(DomainEvent):
    conversation_id: str


@attrs.frozen
class MessagePosted(DomainEvent):
    conversation_id: str
    message_id: str
    sender_type: str
