"""A chat conversation started through the chat use cases, attached to a memory session."""

import asyncio

import pytest
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.application.conversations.commands import ArchiveConversation, PostMessage, StartConversation
from memcore.domain.shared.errors import AlreadyExists, InvalidInput, NotFound
from memcore.infrastructure.compat.agent_session import AgentSession
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.store_fixtures import url_of


@pytest.fixture
def bus(sql_engine):
    return build_services(SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))).bus


def _chat(bus, *texts: str) -> str:
    chat = bus.handle(StartConversation(title="support"))
    for i, text in enumerate(texts):
        bus.handle(PostMessage(chat.id, "user" if i % 2 == 0 else "assistant", text))
    return chat.id


def test_an_attached_chat_reads_and_grows_as_the_session(sql_engine, bus):
    chat_id = _chat(bus, "hello", "hi, how can I help?")
    with Database(url_of(sql_engine)) as db:
        memory = SQLConversationMemory(db)
        memory.attach_conversation("s-attach", chat_id)
        memory.attach_conversation("s-attach", chat_id)  # twice: nothing more happens
        assert [(i.role, i.content) for i in memory.get_items("s-attach")] == [
            ("user", "hello"), ("assistant", "hi, how can I help?"),
        ]  # fmt: skip
        memory.add_item("s-attach", "user", "my order is late")
        bus.handle(PostMessage(chat_id, "assistant", "let me look"))
        assert [i.content for i in memory.get_items("s-attach", limit=2)] == ["my order is late", "let me look"]
        assert [i.content for i in memory.window("s-attach", max_items=1)] == ["let me look"]
        assert memory.pop_item("s-attach").content == "let me look"
        summary = memory.summarize("s-attach", "a late order")
        assert [i.content for i in memory.get_items("s-attach")] == ["a late order"]
        assert [i.content for i in memory.summarized_items("s-attach", summary.id)] == [
            "hello", "hi, how can I help?", "my order is late",
        ]  # fmt: skip
        assert "s-attach" in memory.list_sessions()
        assert memory.clear_session("s-attach") == 4
        assert memory.get_items("s-attach") == []


def test_attaching_refuses_what_it_cannot_do_and_changes_nothing(sql_engine, bus):
    first, second = _chat(bus, "one"), _chat(bus, "two")
    archived = _chat(bus, "old")
    bus.handle(ArchiveConversation(archived))
    with Database(url_of(sql_engine)) as db:
        memory = SQLConversationMemory(db)
        with pytest.raises(NotFound):
            memory.attach_conversation("s-a", "00000000-0000-4000-8000-000000000000")
        with pytest.raises(InvalidInput):
            memory.attach_conversation("s-a", archived)
        memory.add_item("s-own", "user", "own items")
        with pytest.raises(AlreadyExists):  # the session has its own conversation
            memory.attach_conversation("s-own", first)
        memory.attach_conversation("s-a", first)
        with pytest.raises(AlreadyExists):  # belongs to s-a
            memory.attach_conversation("s-b", first)
        with pytest.raises(AlreadyExists):  # s-a has one
            memory.attach_conversation("s-a", second)
        assert [i.content for i in memory.get_items("s-a")] == ["one"]
        assert [i.content for i in memory.get_items("s-own")] == ["own items"]
        assert memory.get_items("s-b") == []
        memory.attach_conversation("s-b", second)  # second was left untouched
        assert [i.content for i in memory.get_items("s-b")] == ["two"]


def test_an_agent_session_continues_an_attached_chat(sql_engine, bus):
    chat_id = _chat(bus, "hello")

    async def run() -> list:
        async with AsyncDatabase(url_of(sql_engine)) as adb:
            await AsyncSQLConversationMemory(adb).attach_conversation("agent-1", chat_id)
            session = AgentSession("agent-1", adb)
            await session.add_items([{"role": "assistant", "content": "hi there"}])
            return await session.get_items(limit=10)

    assert asyncio.run(run()) == [
        {"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi there"},
    ]  # fmt: skip
