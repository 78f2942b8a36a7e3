"""InMemoryConversationRepository: conversations and their messages, in two dicts of rows."""

from __future__ import annotations

from memcore.domain.conversations.model import Conversation, Message
from memcore.domain.conversations.ports import CONVERSATION_FIELDS, MESSAGE_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field, Query, Specification, apply, as_query
from memcore.infrastructure.inmemory.base import InMemoryRepository


class MessageRows:
    """The messages table of a transaction; written only through the conversations."""

    def __init__(self, rows: dict[str, Message]) -> None:
        self.rows = rows
        self.seen: set[Message] = set()


class InMemoryConversationRepository(InMemoryRepository):
    fields, key = CONVERSATION_FIELDS, "id"

    def __init__(self, rows: dict[str, Conversation], messages: MessageRows) -> None:
        super().__init__(rows)
        self.messages = messages

    def add(self, conversation: Conversation) -> None:
        if not isinstance(conversation, Conversation):
            raise InvalidInput(f"expected a Conversation, got {type(conversation).__name__}")
        if conversation.id in self.rows:
            raise AlreadyExists(f"a conversation with id {conversation.id!r} already exists")
        self.rows[conversation.id] = conversation
        self.seen.add(conversation)
        self.flush()

    def get(self, conversation_id: str, for_update: bool = False) -> Conversation | None:
        """`for_update` changes nothing here: the in-memory store has one writer at a time."""
        return self._seen(self.rows.get(conversation_id))

    def flush(self) -> None:
        """Write the messages conversations posted or removed, as SQL does before reading or committing."""
        rows = self.messages.rows
        for conversation in self.rows.values():
            for message in conversation.new_messages:
                if message.id in rows:
                    raise AlreadyExists(f"a message with id {message.id!r} already exists")
                rows[message.id] = message
            for message_id in conversation.removed_messages:
                rows.pop(message_id, None)
            conversation.new_messages.clear()
            conversation.removed_messages.clear()

    def list(self, query: Specification | Query | None = None) -> list[Conversation]:
        self.flush()
        return super().list(query)

    def remove(self, spec: Specification) -> int:
        self.flush()
        doomed = {c.id for c in self._matching(spec)}
        for message in [m for m in self.messages.rows.values() if m.conversation_id in doomed]:
            del self.messages.rows[message.id]
        return super().remove(Field("id").is_in(doomed))

    def get_message(self, message_id: str) -> Message | None:
        self.flush()
        return self.messages.rows.get(message_id)

    def list_messages(self, query: Specification | Query | None = None) -> list[Message]:
        self.flush()
        return apply(as_query(query), self.messages.rows.values(), MESSAGE_FIELDS, key="id")

    def count_messages(self, spec: Specification | None = None) -> int:
        return len(self.list_messages(spec))
