"""The savers beyond the conformance suite: construction, refusals with typed errors, safety."""

import asyncio
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from sqlalchemy import Engine, insert

import memcore
from memcore.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.sqlalchemy.tables import langgraph_writes
from memcore.integrations.langgraph import AsyncMemcoreSaver, MemcoreSaver

ROOT = Path(__file__).resolve().parents[2]


def cfg(thread_id: str = "t", ns: str = "", checkpoint_id: str | None = None) -> dict:
    configurable = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def put(saver: MemcoreSaver, thread_id: str = "t", **metadata) -> dict:
    return saver.put(cfg(thread_id), empty_checkpoint(), {"source": "input", "step": 0, **metadata}, {})


def test_without_the_extra_importing_the_adapter_names_the_pip_command():
    script = (
        "import sys; sys.modules['langgraph'] = None\n"
        "import memcore, memcore.integrations\n"
        "try:\n    import memcore.integrations.langgraph\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install memcore[langgraph]" in done.stdout


def test_a_saver_is_built_on_a_memcore_application(sql_url):
    with memcore.connect(sql_url) as app:
        saver = MemcoreSaver(app)
        saver.setup()
        stored = put(saver, "from-app")
        assert saver.get_tuple(stored).checkpoint["id"] == stored["configurable"]["checkpoint_id"]

        async def read_async() -> str:
            twin = AsyncMemcoreSaver(app)
            await twin.setup()
            try:
                return (await twin.aget_tuple(cfg("from-app"))).checkpoint["id"]
            finally:
                await twin.aclose()

        assert asyncio.run(read_async()) == stored["configurable"]["checkpoint_id"]


def test_the_sync_methods_of_the_async_saver_refuse_its_own_loop(sql_url):
    async def call_sync_inside() -> None:
        async with AsyncMemcoreSaver.from_conn_string(sql_url) as saver:
            await saver.aget_tuple(cfg())
            with pytest.raises(InvalidInput, match="another thread"):
                saver.get_tuple(cfg())

    asyncio.run(call_sync_inside())


def test_metadata_that_is_not_json_is_refused_and_nothing_is_written(sql_url):
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        with pytest.raises(InvalidInput, match="JSON"):
            put(saver, score=float("nan"))
        with pytest.raises(InvalidInput, match="JSON"):
            put(saver, when=object())
        assert list(saver.list(None)) == []


@pytest.mark.parametrize(
    "config",
    [cfg("x" * 256), cfg(""), cfg("t", ns="a\x00b"), {"configurable": {}}, {"nothing": 1}],
    ids=["long-thread", "empty-thread", "nul-namespace", "no-thread", "no-configurable"],
)
def test_identifiers_no_dialect_can_store_are_refused_everywhere(sql_url, config):
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        with pytest.raises(InvalidInput):
            saver.put(config, empty_checkpoint(), {}, {})
        with pytest.raises(InvalidInput):
            saver.get_tuple(config)
        assert list(saver.list(None)) == []


def test_a_batch_of_writes_with_one_bad_value_writes_nothing(sql_url):
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        stored = put(saver)
        with pytest.raises(InvalidInput, match="serialise"):
            saver.put_writes(stored, [("a", 1), ("b", object())], "task-1")
        with pytest.raises(InvalidInput, match="task_id"):
            saver.put_writes(stored, [("a", 1)], "x" * 65)
        assert saver.get_tuple(stored).pending_writes == []


def test_bad_arguments_of_prune_copy_and_delete_are_typed_errors(sql_url):
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        put(saver, "a")
        put(saver, "b")
        with pytest.raises(InvalidInput, match="strategy"):
            saver.prune(["a"], strategy="keep_oldest")
        with pytest.raises(InvalidInput, match="list"):
            saver.prune("a")
        with pytest.raises(InvalidInput, match="list"):
            saver.delete_for_runs("run-1")
        with pytest.raises(AlreadyExists):
            saver.copy_thread("a", "b")
        with pytest.raises(InvalidInput, match="filter"):
            list(saver.list(None, filter=["source"]))
        assert len(list(saver.list(cfg("b")))) == 1


def test_a_metadata_filter_compares_by_json_type(sql_url):
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        put(saver, flag=True)
        put(saver, flag=1)
        assert [t.metadata["flag"] for t in saver.list(cfg(), filter={"flag": True})] == [True]
        assert [t.metadata["flag"] for t in saver.list(cfg(), filter={"flag": 1.0})] == [1]
        assert list(saver.list(cfg(), filter={"missing": None})) == []


def test_a_stored_pickle_is_never_unpickled_by_default(sql_url, sql_engine: Engine, tmp_path):
    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_PathToucher(marker))
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        stored = put(saver)
        with sql_engine.begin() as connection:
            connection.execute(insert(langgraph_writes).values(
                thread_id="t", checkpoint_ns="", checkpoint_id=stored["configurable"]["checkpoint_id"],
                task_id="evil", idx=0, channel="x", type="pickle", value=payload, task_path="",
            ))  # fmt: skip
        with pytest.raises(InvalidInput, match="pickle"):
            saver.get_tuple(stored)
    assert not marker.exists()


class _PathToucher:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_keep_latest_refuses_threads_of_a_delta_channel_and_prunes_nothing(sql_url):
    from typing import Annotated, TypedDict

    from langgraph.channels.delta import DeltaChannel
    from langgraph.graph import START, StateGraph

    class State(TypedDict):
        items: Annotated[list, DeltaChannel(lambda state, writes: [*state, *(x for w in writes for x in w)])]

    builder = StateGraph(State)
    builder.add_node("add", lambda state: {"items": [len(state["items"])]})
    builder.add_edge(START, "add")
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        graph = builder.compile(checkpointer=saver)
        for _ in range(3):
            graph.invoke({"items": []}, {"configurable": {"thread_id": "delta"}})
        put(saver, "plain")
        put(saver, "plain")
        before = len(list(saver.list(None)))
        with pytest.raises(NotImplementedError, match="DeltaChannel"):
            saver.prune(["plain", "delta"])
        with pytest.raises(InvalidInput):  # memcore's typed error too
            saver.prune(["delta"])
        assert len(list(saver.list(None))) == before  # nothing pruned, the plain thread neither
        saver.prune(["plain"])
        assert len(list(saver.list(cfg("plain")))) == 1
        saver.prune(["delta"], strategy="delete")
        assert list(saver.list(cfg("delta"))) == []
