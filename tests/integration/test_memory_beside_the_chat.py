"""A memory session and the chat use cases write the same conversation, in one order."""

from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.application.conversations.commands import PostMessage
from memcore.domain.conversations.memory import conversation_id
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.store_fixtures import url_of


def test_messages_posted_through_the_chat_interleave_with_memory_items(sql_engine):
    bus = build_services(SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))).bus
    with Database(url_of(sql_engine)) as db:
        memory = SQLConversationMemory(db)
        memory.add_item("s", "user", "from memory")
        bus.handle(PostMessage(conversation_id("s"), "assistant", "from the chat", {"k": "v"}))
        memory.add_item("s", "user", "memory again")
        items = memory.get_items("s")
    assert [(i.role, i.content) for i in items] == [
        ("user", "from memory"), ("assistant", "from the chat"), ("user", "memory again"),
    ]  # fmt: skip
    assert items[1].payload == {"k": "v"}  # the chat's role metadata reads as the payload
