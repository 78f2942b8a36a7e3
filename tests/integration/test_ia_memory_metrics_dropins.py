"""ia_modules' conversation memory and metric storage drop-ins on every dialect: the originals'
behaviour, memcore's typed errors for bad input, and nothing written when input is refused."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from memcore.compat.conversation_memory import SQLConversationMemory as MemcoreMemory
from memcore.compat.ia_memory import Message, MessageRole, SQLConversationMemory
from memcore.compat.ia_metrics import SQLMetricStorage
from memcore.compat.nexusql import DatabaseManager
from memcore.domain.shared.errors import InvalidInput
from tests.store_fixtures import url_of


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def db(sql_engine) -> Iterator[DatabaseManager]:
    manager = DatabaseManager(url_of(sql_engine))
    assert manager.connect()
    yield manager
    manager.disconnect()


@pytest.fixture
def memory(db) -> SQLConversationMemory:
    return SQLConversationMemory(db)


@pytest.fixture
def storage(db) -> SQLMetricStorage:
    return SQLMetricStorage(db)


# -- conversation memory


def test_messages_read_back_newest_first_with_offset_and_every_field(memory):
    first = run(memory.add_message("t1", "user", "hello", user_id="u1", metadata={"k": 1}))
    run(memory.add_message("t1", "function", "42", function_call={"name": "f"}, function_name="f"))
    run(memory.add_message("t1", "assistant", "bye", user_id="u1"))
    got = run(memory.get_messages("t1", limit=2))
    assert [m.content for m in got] == ["bye", "42"]
    assert got[1].role is MessageRole.FUNCTION and got[1].function_call == {"name": "f"}
    assert got[1].function_name == "f" and got[1].metadata == {}
    (oldest,) = run(memory.get_messages("t1", limit=5, offset=2))
    assert isinstance(oldest, Message) and oldest.message_id == first
    assert (oldest.thread_id, oldest.user_id, oldest.metadata) == ("t1", "u1", {"k": 1})
    assert oldest.timestamp.tzinfo is not None
    assert Message.from_dict(oldest.to_dict()) == oldest


def test_user_messages_across_threads_are_newest_first_by_time(memory):
    """Each thread numbers its own messages: across threads the newest is the one posted last."""
    for n in range(3):
        run(memory.add_message("t1", "user", f"old {n}", user_id="u1"))
    run(memory.add_message("t2", "user", "new", user_id="u1"))
    assert [m.content for m in run(memory.get_user_messages("u1"))] == ["new", "old 2", "old 1", "old 0"]
    assert [m.content for m in run(memory.search_messages("e", user_id="u1"))] == ["new"]


def test_user_messages_cross_threads_and_search_takes_its_text_as_data(memory):
    run(memory.add_message("t1", "user", "100% sure", user_id="u1"))
    run(memory.add_message("t2", "user", "1000 sure", user_id="u1"))
    run(memory.add_message("t2", "user", "x'); DROP TABLE messages; --", user_id="u2"))
    assert [m.thread_id for m in run(memory.get_user_messages("u1"))] == ["t2", "t1"]
    assert [m.content for m in run(memory.search_messages("0%"))] == ["100% sure"]
    assert [m.content for m in run(memory.search_messages("sure", thread_id="t2"))] == ["1000 sure"]
    assert len(run(memory.search_messages("DROP TABLE", user_id="u2"))) == 1
    assert run(memory.search_messages("sure", user_id="nobody")) == []


def test_stats_and_delete_thread(memory):
    empty = run(memory.get_thread_stats("t1"))
    assert empty == {"message_count": 0, "first_message": None, "last_message": None, "thread_id": "t1"}
    run(memory.add_message("t1", "user", "a"))
    run(memory.add_message("t1", "assistant", "b"))
    stats = run(memory.get_thread_stats("t1"))
    assert stats["message_count"] == 2 and stats["first_message"] <= stats["last_message"]
    assert run(memory.delete_thread("t1")) == 2
    assert run(memory.get_messages("t1")) == [] and run(memory.delete_thread("t1")) == 0


def test_the_thread_is_memcore_memorys_session(db, memory):
    run(memory.add_message("t1", "user", "from ia_modules' API"))
    items = MemcoreMemory(db.database).get_items("t1")
    assert [(i.role, i.content) for i in items] == [("user", "from ia_modules' API")]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": "robot"},
        {"metadata": ["not", "a", "dict"]},
        {"function_call": "f()"},
        {"user_id": 7},
        {"content": 5},
        {"thread_id": ""},
    ],
)
def test_bad_messages_raise_invalid_input_and_write_nothing(memory, kwargs):
    args = {"thread_id": "t1", "role": "user", "content": "hi"} | kwargs
    with pytest.raises(InvalidInput):
        run(memory.add_message(**args))
    assert run(memory.get_messages("t1")) == []


@pytest.mark.parametrize("bad", [-1, True, "10", 1.5])
def test_bad_limits_raise_invalid_input(memory, bad):
    with pytest.raises(InvalidInput):
        run(memory.get_messages("t1", limit=bad))
    with pytest.raises(InvalidInput):
        run(memory.get_user_messages("u1", offset=bad))


# -- metric storage


def test_steps_workflows_and_slo_round_trip(storage):
    old = datetime.now(UTC) - timedelta(hours=2)
    run(storage.record_step({"agent": "a1", "success": True, "timestamp": old.isoformat()}))
    run(storage.record_step({"agent": "a2", "success": False, "mode": "explore", "mode_violation": True}))
    steps = run(storage.get_steps())
    assert [s["agent"] for s in steps] == ["a1", "a2"]
    assert steps[0]["timestamp"] == old and steps[1]["success"] is False and steps[1]["mode_violation"] is True
    assert [s["agent"] for s in run(storage.get_steps(since=old + timedelta(hours=1)))] == ["a2"]
    assert [s["agent"] for s in run(storage.get_steps(agent="a1"))] == ["a1"]
    run(storage.record_workflow({"workflow_id": "w", "steps": 3, "success": True}))
    run(storage.record_workflow({"workflow_id": "w", "steps": 9, "success": False}))  # ignored, as upstream
    (workflow,) = run(storage.get_workflows())
    assert (workflow["steps"], workflow["retries"], workflow["required_human"]) == (3, 0, False)
    run(storage.record_slo_measurement("mtte", "t1", "c1", duration_ms=1500))
    (slo,) = run(storage.get_slo_measurements("mtte"))
    assert slo["duration_ms"] == 1500 and slo["success"] is True and slo["checkpoint_id"] == "c1"
    assert run(storage.get_slo_measurements("rsr")) == []


@pytest.mark.parametrize(
    "record",
    [
        {"success": True},
        {"agent": "a", "success": "yes"},
        {"agent": "a", "success": True, "timestamp": "yesterday"},
        {"agent": "a" * 256, "success": True},
        {"agent": "a", "success": True, "mode": 5},
    ],
)
def test_bad_steps_raise_invalid_input_and_write_nothing(storage, record):
    with pytest.raises(InvalidInput):
        run(storage.record_step(record))
    assert run(storage.get_steps()) == []


@pytest.mark.parametrize(
    "kwargs",
    [{"measurement_type": "p99"}, {"duration_ms": float("nan")}, {"duration_ms": -1}, {"thread_id": None}],
)
def test_bad_slo_measurements_raise_invalid_input_and_write_nothing(storage, kwargs):
    args = {"measurement_type": "mtte", "thread_id": "t"} | kwargs
    with pytest.raises(InvalidInput):
        run(storage.record_slo_measurement(**args))
    assert run(storage.get_slo_measurements("mtte")) == []


def test_bad_workflows_and_since_raise_invalid_input(storage):
    with pytest.raises(InvalidInput):
        run(storage.record_workflow({"workflow_id": "w", "steps": -1, "success": True}))
    with pytest.raises(InvalidInput):
        run(storage.get_steps(since="2026-01-01"))
    assert run(storage.get_workflows()) == []


def test_missing_tables_raise_upstreams_runtime_error(tmp_path):
    bare = DatabaseManager(f"sqlite:///{tmp_path / 'bare.db'}")
    assert bare.connect()
    with pytest.raises(RuntimeError, match="reliability_steps table not found"):
        SQLMetricStorage(bare)
    bare.disconnect()
