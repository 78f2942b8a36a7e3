"""MemcoreChatMessageHistory does what LangChain documents for a chat message history, on every dialect."""

import asyncio

import pytest
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.integrations.langchain import MemcoreChatMessageHistory
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables
from tests.store_fixtures import url_of

MESSAGES = [
    SystemMessage("be brief"),
    HumanMessage("Grüße 👋", id="h1"),
    AIMessage("", tool_calls=[{"name": "lookup", "args": {"q": "ü"}, "id": "t1"}]),
    ToolMessage("42", tool_call_id="t1"),
    AIMessage([{"type": "text", "text": "It is 42."}], response_metadata={"model": "x"}),
]


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def url(request, engines) -> str:
    empty_tables(engines[request.param])
    return url_of(engines[request.param])


@pytest.fixture
def history(url):
    with Database(url) as db:
        yield MemcoreChatMessageHistory("s", db)


def test_it_is_a_langchain_chat_message_history(history):
    assert isinstance(history, BaseChatMessageHistory)


def test_an_empty_history_has_no_messages(history):
    history.clear()
    assert history.messages == []


def test_messages_round_trip_in_the_order_they_were_added(history):
    history.add_messages(MESSAGES[:2])
    history.add_message(MESSAGES[2])
    history.add_messages(MESSAGES[3:])
    history.add_user_message("and?")
    history.add_ai_message("done")
    assert history.messages == [*MESSAGES, HumanMessage("and?"), AIMessage("done")]


def test_clear_empties_only_this_session(history, url):
    other = MemcoreChatMessageHistory("other", history.memory)
    history.add_messages(MESSAGES)
    other.add_user_message("mine")
    history.clear()
    assert history.messages == [] and other.messages == [HumanMessage("mine")]


def test_the_async_forms_run_on_an_async_database(url):
    async def main():
        async with AsyncDatabase(url) as db:
            history = MemcoreChatMessageHistory("s", db)
            await history.aadd_messages(MESSAGES)
            stored = await history.aget_messages()
            await history.aclear()
            with pytest.raises(InvalidInput):
                history.messages  # noqa: B018 - the synchronous form needs a Database
            return stored, await history.aget_messages()

    assert asyncio.run(main()) == (MESSAGES, [])


def test_the_async_forms_also_run_on_a_database(history):
    async def main():
        await history.aadd_messages(MESSAGES[:2])
        return await history.aget_messages()

    assert asyncio.run(main()) == MESSAGES[:2]


def test_a_summary_reads_back_as_a_system_message(history):
    history.add_messages(MESSAGES)
    memory: SQLConversationMemory = history.memory
    keep = memory.get_items("s")[-1]
    memory.summarize("s", "they asked and got 42", before=keep.id)
    assert history.messages == [SystemMessage("they asked and got 42"), MESSAGES[-1]]


def test_what_is_not_a_message_is_refused_and_nothing_is_written(history):
    with pytest.raises(InvalidInput):
        history.add_messages([HumanMessage("ok"), {"role": "user", "content": "no"}])
    with pytest.raises(InvalidInput):
        history.add_messages([HumanMessage("bad \x00 text")])
    assert history.messages == []


def test_from_conn_string_opens_and_closes_its_own_database(url):
    with MemcoreChatMessageHistory.from_conn_string(url, "s") as history:
        history.add_user_message("hi")
        assert history.messages == [HumanMessage("hi")]
