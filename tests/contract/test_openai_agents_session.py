"""MemcoreSession does what the OpenAI Agents SDK documents for a Session, on every dialect."""

import asyncio
import json
from typing import Any

import pytest
from agents import Agent, RunConfig, Runner
from agents.items import ModelResponse
from agents.memory import Session, SessionSettings
from agents.models.interface import Model
from agents.usage import Usage
from openai.types.responses import ResponseOutputMessage, ResponseOutputText
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.application.conversations.commands import PostMessage
from memcore.domain.conversations.memory import conversation_id
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from memcore.integrations.openai_agents import MemcoreSession
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables
from tests.store_fixtures import url_of

CALL = {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"q": "ü"}', "id": "fc1"}
OUTPUT = {"type": "function_call_output", "call_id": "c1", "output": "42"}
REPLY = {
    "id": "m1", "type": "message", "role": "assistant", "status": "completed",
    "content": [{"type": "output_text", "text": "Grüße 👋", "annotations": []}],
}  # fmt: skip


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def url(request, engines) -> str:
    empty_tables(engines[request.param])
    return url_of(engines[request.param])


def run(url: str, scenario, session_id: str = "s", **options: Any) -> Any:
    async def main() -> Any:
        async with AsyncDatabase(url) as db:
            return await scenario(MemcoreSession(session_id, db, **options))

    return asyncio.run(main())


def test_it_is_an_agents_sdk_session(url):
    async def scenario(session):
        return isinstance(session, Session)

    assert run(url, scenario)


def test_an_empty_session_has_no_items_and_pops_none(url):
    async def scenario(session):
        await session.clear_session()
        await session.add_items([])
        return await session.get_items(), await session.get_items(limit=3), await session.pop_item()

    assert run(url, scenario) == ([], [], None)


def test_items_round_trip_in_order_and_a_limit_gives_the_latest(url):
    items = [user("q"), CALL, OUTPUT, REPLY]

    async def scenario(session):
        await session.add_items(items[:1])
        await session.add_items(items[1:])
        return await session.get_items(), await session.get_items(limit=2), await session.get_items(limit=0)

    assert run(url, scenario) == (items, [OUTPUT, REPLY], [])


def test_the_session_settings_limit_applies_unless_a_limit_is_given(url):
    async def scenario(session):
        await session.add_items([user(str(i)) for i in range(5)])
        return await session.get_items(), await session.get_items(limit=4)

    default, explicit = run(url, scenario, session_settings=SessionSettings(limit=2))
    assert default == [user("3"), user("4")] and len(explicit) == 4


def test_pop_item_removes_the_most_recent(url):
    async def scenario(session):
        await session.add_items([user("a"), REPLY])
        return await session.pop_item(), await session.get_items()

    assert run(url, scenario) == (REPLY, [user("a")])


def test_clear_session_empties_only_that_session(url):
    async def scenario(session):
        other = MemcoreSession("other", session.memory)
        await session.add_items([user("a")])
        await other.add_items([user("b")])
        await session.clear_session()
        return await session.get_items(), await other.get_items()

    assert run(url, scenario) == ([], [user("b")])


def test_bad_items_and_limits_raise_memcore_errors(url):
    async def scenario(session):
        with pytest.raises(InvalidInput):
            await session.add_items([user("ok"), "not an item"])
        with pytest.raises(InvalidInput):
            await session.add_items([{"role": "user", "content": "x", "bad": float("inf")}])
        with pytest.raises(InvalidInput):
            await session.get_items(limit=-1)
        return await session.get_items()

    assert run(url, scenario) == []


class EchoModel(Model):
    """Answers "seen N" where N is how many input items it was given; records each input."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []

    async def get_response(self, system_instructions, input, *args: Any, **kwargs: Any) -> ModelResponse:
        self.inputs.append(input)
        text = ResponseOutputText(type="output_text", text=f"seen {len(input)}", annotations=[])
        message = ResponseOutputMessage(id="r", type="message", role="assistant", status="completed", content=[text])
        return ModelResponse(output=[message], usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any):
        raise NotImplementedError


def test_runner_run_remembers_earlier_turns_through_the_session(url):
    model = EchoModel()
    agent = Agent(name="echo", model=model)
    config = RunConfig(tracing_disabled=True)

    async def scenario(session):
        first = await Runner.run(agent, "Hi", session=session, run_config=config)
        second = await Runner.run(agent, "Again", session=session, run_config=config)
        return first.final_output, second.final_output, await session.get_items()

    first, second, stored = run(url, scenario)
    assert (first, second) == ("seen 1", "seen 3")  # the second turn saw Hi, the answer and Again
    assert [item.get("content") for item in stored if item.get("role") == "user"] == ["Hi", "Again"]
    assert len(stored) == 4


def test_summaries_and_chat_messages_read_back_as_plain_messages(url):
    async def scenario(session):
        await session.add_items([user("a"), CALL, OUTPUT, REPLY])
        memory = session.memory
        keep = (await memory.get_items("s"))[-1]
        await memory.summarize("s", "looked something up", before=keep.id)
        engine = build_engine(Settings(url=url))
        try:
            bus = build_services(SqlAlchemyUnitOfWork(sessionmaker(engine))).bus
            bus.handle(PostMessage(conversation_id("s"), "assistant", "from the chat", {"k": "v"}))
        finally:
            engine.dispose()
        return await session.get_items(), await session.pop_item()

    items, popped = run(url, scenario)
    chat = {"role": "assistant", "content": "from the chat"}
    assert items == [{"role": "system", "content": "looked something up"}, REPLY, chat] and popped == chat


def stored_metadata(url: str) -> list[str]:
    engine = build_engine(Settings(url=url))
    try:
        with engine.connect() as connection:
            sql = text("SELECT role_metadata FROM messages WHERE conversation_id = :c ORDER BY sequence")
            return [row[0] for row in connection.execute(sql, {"c": conversation_id("s")})]
    finally:
        engine.dispose()


def test_an_items_text_is_stored_once_and_every_shape_reads_back_exactly(url):
    shapes = [user("once ✨"), {"content": "key first", "role": "user"}, {"role": "user", "content": ""},
              {"role": "user", "content": "x", "extra": None}, CALL, OUTPUT, REPLY,
              {"role": "assistant", "content": None}]  # fmt: skip

    async def scenario(session):
        await session.add_items(shapes)
        return await session.get_items(), await session.get_items(limit=3), await session.memory.get_items("s")

    every, last, items = run(url, scenario)
    assert every == shapes and last == shapes[-3:]
    assert [list(item) for item in every] == [list(item) for item in shapes]  # key order too
    assert [item.payload for item in items] == shapes
    stored = [json.loads(meta)["memory"]["payload"] for meta in stored_metadata(url)]
    assert stored[0] == {"role": "user", "content": None} and stored[1] == {"content": None, "role": "user"}
    assert stored[6] == REPLY and stored[4] == CALL  # no text of their own: stored whole


def test_rows_stored_with_the_whole_payload_still_read_back(url):
    async def scenario(session):
        await session.add_items([user("old")])
        old = json.dumps({"memory": {"role": "user", "tokens": 1, "payload": user("old")}})
        engine = build_engine(Settings(url=url))
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE messages SET role_metadata = :m"), {"m": old})
        finally:
            engine.dispose()
        return await session.get_items(), (await session.memory.get_items("s"))[0].payload, await session.pop_item()

    assert run(url, scenario) == ([user("old")], user("old"), user("old"))
