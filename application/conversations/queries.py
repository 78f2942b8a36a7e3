"""Read-side use cases of the conversations context: frozen views from the read model."""

from memcore.application.conversations.views import ConversationView, KnowledgeChunkView, MessageView, UserView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.conversations.model import SENDER_TYPES, STATUSES, check_uuid, email_key
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query, Specification
from memcore.domain.shared.validation import check_count, check_id, check_text, shown

OLDEST_FIRST = (Field("created_at").asc(), Field("sequence").asc())
NEWEST_FIRST = (Field("created_at").desc(),)
CREATED = (Field("created_at").asc(),)
CHUNK_ORDER = (Field("created_at").asc(), Field("source").asc(), Field("external_id").asc())  # a bulk shares one time


def _choice(value: str | None, choices: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in choices:
        raise InvalidInput(f"unknown {what} {shown(value)}; expected one of {', '.join(choices)}")
    return value


def _page(where: Specification, order: tuple, limit: int, offset: int) -> Query:
    return Query(where=where, order_by=order, limit=limit, offset=offset)


class UserQueries:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, user_id: str) -> UserView | None:
        return self.uow.user_views.get(check_uuid("user_id", user_id))

    def get_by_email(self, email: str) -> UserView | None:
        """Case-insensitive: `Ann@Example.org` finds `ann@example.org`."""
        return self.uow.user_views.get_by_email(email_key(check_text("email", email)) or "")

    def get_by_external_id(self, external_id: str) -> UserView | None:
        return self.uow.user_views.get_by_external_id(check_id("external_id", external_id))

    def list(self, limit: int = 100, offset: int = 0) -> list[UserView]:
        """Oldest first."""
        return self.uow.user_views.list(Query(order_by=CREATED, limit=limit, offset=offset))

    def count(self) -> int:
        return self.uow.user_views.count()


class ConversationQueries:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, conversation_id: str) -> ConversationView | None:
        return self.uow.conversation_views.get(check_uuid("conversation_id", conversation_id))

    def list_for_user(
        self, user_id: str, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[ConversationView]:
        """The user's conversations, newest first."""
        where = Field("user_id") == check_uuid("user_id", user_id)
        if _choice(status, STATUSES, "status") is not None:
            where = where & (Field("status") == status)
        return self.uow.conversation_views.list(_page(where, NEWEST_FIRST, limit, offset))

    def list_all(self, limit: int = 100, offset: int = 0, status: str | None = None) -> list[ConversationView]:
        """Every conversation, newest first."""
        where = Field("status") == status if _choice(status, STATUSES, "status") is not None else Query().where
        return self.uow.conversation_views.list(_page(where, NEWEST_FIRST, limit, offset))

    def get_message(self, message_id: str) -> MessageView | None:
        return self.uow.conversation_views.get_message(check_uuid("message_id", message_id))

    def messages(
        self, conversation_id: str, limit: int = 100, offset: int = 0, sender_type: str | None = None
    ) -> list[MessageView]:
        """The conversation's messages, oldest first (posting order within one microsecond)."""
        where = Field("conversation_id") == check_uuid("conversation_id", conversation_id)
        if _choice(sender_type, SENDER_TYPES, "sender type") is not None:
            where = where & (Field("sender_type") == sender_type)
        return self.uow.conversation_views.list_messages(_page(where, OLDEST_FIRST, limit, offset))

    def count_messages(self, conversation_id: str) -> int:
        where = Field("conversation_id") == check_uuid("conversation_id", conversation_id)
        return self.uow.conversation_views.count_messages(where)


class KnowledgeQueries:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, chunk_id: str) -> KnowledgeChunkView | None:
        return self.uow.knowledge_views.get(check_uuid("chunk_id", chunk_id))

    def get_by_external_id(self, external_id: str, source: str | None = None) -> KnowledgeChunkView | None:
        """Within `source` if given; else the first by source name among the sources having it."""
        where = Field("external_id") == check_id("external_id", external_id)
        if source is not None:
            where = where & (Field("source") == check_id("source", source))
        found = self.uow.knowledge_views.list(Query(where=where, order_by=[Field("source").asc()], limit=1))
        return found[0] if found else None

    def list_by_source(self, source: str, limit: int = 100, offset: int = 0) -> list[KnowledgeChunkView]:
        """Oldest first."""
        where = Field("source") == check_id("source", source)
        return self.uow.knowledge_views.list(_page(where, CHUNK_ORDER, limit, offset))

    def list_all(self, limit: int = 100, offset: int = 0) -> list[KnowledgeChunkView]:
        return self.uow.knowledge_views.list(Query(order_by=CHUNK_ORDER, limit=limit, offset=offset))

    def count(self, source: str | None = None) -> int:
        return self.uow.knowledge_views.count(None if source is None else Field("source") == check_id("source", source))

    def search(self, text: str, limit: int = 10, source: str | None = None) -> list[KnowledgeChunkView]:
        """Full-text search over title and content: chunks holding every word, best first."""
        check_text("text", text)
        check_count("limit", limit)
        return self.uow.knowledge_views.search(text, limit, None if source is None else check_id("source", source))
