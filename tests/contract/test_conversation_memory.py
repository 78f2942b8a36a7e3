"""One contract for the conversation memories: the in-memory fakes and the SQL memories on every
dialect, each sync and async."""

import asyncio
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text

from memcore.domain.conversations.memory import MAX_CONTENT_CHARS, conversation_id
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.compat.conversation_memory import SQLConversationMemory
from memcore.infrastructure.inmemory.conversation_memory import (
    AsyncInMemoryConversationMemory,
    InMemoryConversationMemory,
)
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from tests.store_fixtures import MODES, Synced, open_memory
from tests.unit.builders import FakeClock

PAYLOAD = {"text": "Grüße, 世界 👋 \U0001d518", "big": 2**63 - 1, "nested": [{"a": [1.5, None, True]}], "": "e"}


FAKES = [pytest.param(("memory", mode), id=f"{mode}-memory") for mode in ("sync", "async")]


def _open(request, engines):
    dialect, mode = request.param
    clock = FakeClock(step=timedelta(microseconds=1))
    if dialect == "memory":
        fake = InMemoryConversationMemory(clock=clock)
        yield fake if mode == "sync" else Synced(AsyncInMemoryConversationMemory(clock=clock), asyncio.new_event_loop())
        return
    for opened in open_memory(engines[dialect], mode, clock=clock):
        opened.engine = engines[dialect]
        yield opened


@pytest.fixture(params=FAKES + MODES)
def memory(request, engines):
    """Every memory: the fakes and the SQL memories on every dialect, sync and async."""
    yield from _open(request, engines)


@pytest.fixture(params=MODES)
def sql_memory(request, engines):
    """The SQL memories only, for what the fakes have no tables for."""
    yield from _open(request, engines)


def say(*contents: str, role: str = "user") -> list[dict]:
    return [{"role": role, "content": c} for c in contents]


def contents(items) -> list[str]:
    return [item.content for item in items]


def test_items_come_back_in_the_order_they_were_added(memory):
    memory.add_items("s", say("one", "two"))
    memory.add_item("s", "assistant", "three")
    memory.add_items("s", say("four", "five", "six"))
    assert contents(memory.get_items("s")) == ["one", "two", "three", "four", "five", "six"]
    sequences = [item.sequence for item in memory.get_items("s")]
    assert sequences == sorted(sequences) and len(set(sequences)) == 6


def test_a_limit_gives_the_newest_items_oldest_first(memory):
    memory.add_items("s", say(*"abcde"))
    assert contents(memory.get_items("s", limit=2)) == ["d", "e"]
    assert contents(memory.get_items("s", limit=9)) == list("abcde")
    assert memory.get_items("s", limit=0) == []


def test_an_unknown_session_is_empty(memory):
    assert memory.get_items("nobody") == []
    assert memory.get_items("nobody", limit=3) == []
    assert memory.pop_item("nobody") is None
    assert memory.clear_session("nobody") == 0
    assert memory.window("nobody", max_items=3) == []
    assert memory.history("nobody") == []
    assert memory.list_sessions() == []


def test_items_keep_role_payload_tokens_and_a_utc_time(memory):
    stored = memory.add_item("s", "function_call_output", "done", PAYLOAD)
    (item,) = memory.get_items("s")
    assert item == stored
    assert (item.role, item.content, item.payload) == ("function_call_output", "done", PAYLOAD)
    assert item.tokens == 1 and item.created_at.tzinfo is UTC and not item.is_summary


def test_pop_removes_the_newest_item_until_none_are_left(memory):
    memory.add_items("s", say("a", "b"))
    assert memory.pop_item("s").content == "b"
    assert memory.pop_item("s").content == "a"
    assert memory.pop_item("s") is None
    memory.add_items("s", say("c"))
    assert contents(memory.get_items("s")) == ["c"]


def test_clearing_a_session_leaves_the_others(memory):
    memory.add_items("b", say("x", "y"))
    memory.add_items("a", say("z"))
    assert memory.list_sessions() == ["a", "b"]
    assert memory.clear_session("b") == 2
    assert memory.get_items("b") == [] and memory.list_sessions() == ["a"]
    assert contents(memory.get_items("a")) == ["z"]


def test_a_window_keeps_the_newest_items_that_fit(memory):
    memory.add_items("s", say("x" * 40, "y" * 8, "z" * 4, "w" * 4))  # 10, 2, 1 and 1 tokens
    assert contents(memory.window("s", max_items=2)) == ["z" * 4, "w" * 4]
    assert contents(memory.window("s", max_tokens=4)) == ["y" * 8, "z" * 4, "w" * 4]
    assert contents(memory.window("s", max_tokens=13, max_items=3)) == ["y" * 8, "z" * 4, "w" * 4]
    assert len(memory.window("s")) == 4 and memory.window("s", max_tokens=0) == []


def test_a_window_reads_past_one_page(memory):
    memory.add_items("s", say(*(f"m{i:03}" for i in range(450))))
    window = memory.window("s", max_tokens=430)
    assert contents(window) == [f"m{i:03}" for i in range(20, 450)]


def test_a_summary_replaces_earlier_items_and_keeps_them(memory):
    first = memory.add_items("s", say("a", "b", "c", "d"))
    summary = memory.summarize("s", "a and b happened", before=first[2].id)
    assert summary.is_summary and summary.role == "system"
    assert contents(memory.get_items("s")) == ["a and b happened", "c", "d"]
    assert contents(memory.summarized_items("s", summary.id)) == ["a", "b"]
    memory.add_items("s", say("e"))
    assert contents(memory.history("s")) == list("abcde")


def test_summaries_of_summaries_expand_back_into_everything(memory):
    memory.add_items("s", say("a", "b"))
    memory.summarize("s", "S1")
    memory.add_items("s", say("c"))
    newest = memory.add_items("s", say("d"))[0]
    second = memory.summarize("s", "S2", before=newest.id)
    assert contents(memory.get_items("s")) == ["S2", "d"]
    assert contents(memory.summarized_items("s", second.id)) == ["S1", "c"]
    assert contents(memory.history("s")) == ["a", "b", "c", "d"]
    assert memory.list_sessions() == ["s"]
    assert memory.clear_session("s") == 6  # what summaries replaced goes too
    assert memory.history("s") == [] and memory.list_sessions() == []


def test_summarising_what_is_not_there_is_refused_and_changes_nothing(memory):
    with pytest.raises(NotFound):
        memory.summarize("nobody", "x")
    first = memory.add_items("s", say("a", "b"))
    with pytest.raises(NotFound):
        memory.summarize("s", "x", before="no-such-item")
    with pytest.raises(InvalidInput):
        memory.summarize("s", "x", before=first[0].id)  # nothing before the first item
    with pytest.raises(InvalidInput):
        memory.summarized_items("s", first[0].id)  # not a summary
    with pytest.raises(NotFound):
        memory.summarized_items("other", first[0].id)
    assert contents(memory.get_items("s")) == ["a", "b"]


def test_the_chat_sees_a_session_as_one_conversation(sql_memory):
    memory = sql_memory
    memory.add_items("s", [*say("hello"), {"role": "tool", "content": "42"}])
    with memory.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_type, content FROM messages WHERE conversation_id = :c ORDER BY sequence"),
            {"c": conversation_id("s")},
        ).all()
    assert [tuple(row) for row in rows] == [("user", "hello"), ("assistant", "42")]


BAD_CALLS = {
    "NaN_payload": lambda m: m.add_item("s", "user", "x", {"v": float("nan")}),
    "list_payload": lambda m: m.add_item("s", "user", "x", [1]),
    "empty_content": lambda m: m.add_item("s", "user", ""),
    "NUL_content": lambda m: m.add_item("s", "user", "a\x00"),
    "oversize_content": lambda m: m.add_item("s", "user", "x" * (MAX_CONTENT_CHARS + 1)),
    "oversize_payload": lambda m: m.add_item("s", "user", "x", {"v": "y" * 4_000_001}),
    "long_role": lambda m: m.add_item("s", "r" * 65, "x"),
    "empty_session": lambda m: m.add_item("", "user", "x"),
    "long_session": lambda m: m.get_items("s" * 256),
    "negative_limit": lambda m: m.get_items("s", limit=-1),
    "bool_limit": lambda m: m.get_items("s", limit=True),
    "unknown_field": lambda m: m.add_items("s", [{"role": "user", "content": "x", "when": 1}]),
    "one_bad_in_a_batch": lambda m: m.add_items("s", [*say("ok", "fine"), {"role": "user", "content": 3}]),
    "not_a_list": lambda m: m.add_items("s", {"role": "user", "content": "x"}),
    "bad_window": lambda m: m.window("s", max_tokens=-5),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_input_is_refused_and_nothing_is_written(memory, call):
    with pytest.raises(InvalidInput):
        call(memory)
    assert memory.get_items("s") == [] and memory.list_sessions() == []


def test_a_session_whose_conversation_was_archived_takes_no_more_items(sql_memory):
    memory = sql_memory
    memory.add_items("s", say("a"))
    with memory.engine.begin() as connection:
        connection.execute(text("UPDATE conversations SET status = 'archived'"))
    with pytest.raises(InvalidInput):
        memory.add_items("s", say("b", "c"))
    assert contents(memory.get_items("s")) == ["a"]


def test_the_largest_items_round_trip_in_one_batch(memory):
    big = {"role": "user", "content": "\U0001d518" * MAX_CONTENT_CHARS, "payload": {"blob": "p" * 1_000_000}}
    memory.add_items("s", [big, big, *say("small")])
    items = memory.get_items("s")
    assert [len(item.content) for item in items] == [MAX_CONTENT_CHARS, MAX_CONTENT_CHARS, 5]
    assert items[0].payload == big["payload"] and items[0].content == big["content"]


def test_a_memory_opened_from_a_url_migrates_and_closes_its_own_database(sql_memory):
    url = sql_memory.engine.url.render_as_string(hide_password=False)
    with SQLConversationMemory(url) as own:
        own.setup()  # already at head: nothing to do
        own.add_item("u", "user", "hi")
        assert contents(own.get_items("u")) == ["hi"]
    with pytest.raises(InvalidInput):
        own.get_items("u")  # closed
    with pytest.raises(InvalidInput):
        SQLConversationMemory(AsyncDatabase("sqlite://"))  # the async twin takes that
