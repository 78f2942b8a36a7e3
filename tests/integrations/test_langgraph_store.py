"""MemcoreStore's and AsyncMemcoreStore's behaviour, the same tests on every dialect and, where
LangGraph's semantics are the question, on LangGraph's own InMemoryStore too (divergences are
decided in filters.py). The async store is driven through its sync face: each call runs its async
twin on an event loop in another thread, so every test exercises the natively async path."""

import asyncio
import inspect
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from langgraph.store.base import GetOp, PutOp, SearchOp
from langgraph.store.memory import InMemoryStore

from memcore.errors import InvalidInput
from memcore.integrations.langgraph import AsyncMemcoreStore, MemcoreStore
from tests.conftest import ADAPTERS, dialect_param, empty_tables


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


class OnLoop:
    """An AsyncMemcoreStore seen through sync calls: its coroutines run on a loop in a thread."""

    def __init__(self, store: AsyncMemcoreStore) -> None:
        self.store = store
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.run(store.abatch([]))  # the store learns its loop

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def __getattr__(self, name):
        found = getattr(self.store, name)
        if inspect.iscoroutinefunction(found):
            return lambda *args, **kwargs: self.run(found(*args, **kwargs))
        return found

    def close(self) -> None:
        self.run(self.store.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def _memcore(request, engines, clock):
    kind, adapter = request.param.split("-") if "-" in request.param else ("sync", request.param)
    url = "memory://"
    if adapter != "memory":
        engine = engines[adapter]
        empty_tables(engine)
        url = engine.url.render_as_string(hide_password=False)
    store = MemcoreStore(url, clock=clock) if kind == "sync" else OnLoop(AsyncMemcoreStore(url, clock=clock))
    request.addfinalizer(store.close)
    return store


def _both(adapter: str) -> list[object]:
    """The sync and the async store on one adapter."""
    marks = dialect_param(adapter).marks
    return [dialect_param(adapter), pytest.param(f"async-{adapter}", marks=marks, id=f"async-{adapter}")]


MEMCORE = [param for adapter in ADAPTERS for param in _both(adapter)]


@pytest.fixture(params=[pytest.param("inmemory", id="langgraph-inmemory"), *MEMCORE])
def store(request, engines, clock):
    """LangGraph's InMemoryStore, or MemcoreStore / AsyncMemcoreStore in memory and on each dialect."""
    return InMemoryStore() if request.param == "inmemory" else _memcore(request, engines, clock)


@pytest.fixture(params=MEMCORE)
def memcore_store(request, engines, clock):
    """MemcoreStore or AsyncMemcoreStore alone, for what LangGraph's InMemoryStore does not offer."""
    return _memcore(request, engines, clock)


def test_an_item_is_put_read_updated_and_deleted(store):
    store.put(("users", "ann"), "prefs", {"lang": "en"})
    first = store.get(("users", "ann"), "prefs")
    assert (first.value, first.key, tuple(first.namespace)) == ({"lang": "en"}, "prefs", ("users", "ann"))
    store.put(("users", "ann"), "prefs", {"lang": "de"})
    second = store.get(("users", "ann"), "prefs")
    assert second.value == {"lang": "de"}
    # Decided divergence: InMemoryStore restarts created_at on overwrite; memcore keeps the first
    # write's, as LangGraph's PostgresStore does.
    assert (second.created_at == first.created_at) is not isinstance(store, InMemoryStore)
    store.delete(("users", "ann"), "prefs")
    assert store.get(("users", "ann"), "prefs") is None


def test_search_takes_whole_labels_as_the_namespace_prefix(store):
    store.put(("a",), "1", {"n": 1})
    store.put(("a", "b"), "2", {"n": 2})
    store.put(("ab",), "3", {"n": 3})
    store.put(("a%",), "4", {"n": 4})
    assert sorted(i.key for i in store.search(("a",))) == ["1", "2"]
    assert sorted(i.key for i in store.search(("a%",))) == ["4"]
    assert sorted(i.key for i in store.search(())) == ["1", "2", "3", "4"]


def test_comparison_operators_compare_numbers_as_numbers(store):
    for key, score in (("low", 2), ("mid", 9.5), ("high", 10)):
        store.put(("docs",), key, {"score": score, "kind": "note"})
    found = lambda f: sorted(i.key for i in store.search(("docs",), filter=f))  # noqa: E731
    assert found({"score": {"$gt": 9}}) == ["high", "mid"]
    assert found({"score": {"$gte": 10}}) == ["high"]
    assert found({"score": {"$lt": 9.5}}) == ["low"]
    assert found({"score": {"$lte": 9.5}}) == ["low", "mid"]
    assert found({"score": {"$ne": 2}}) == ["high", "mid"]
    assert found({"score": {"$eq": 10.0}, "kind": "note"}) == ["high"]


def test_a_number_stored_as_text_is_not_a_number(store):
    store.put(("docs",), "text", {"score": "10"})
    found = [i.key for i in store.search(("docs",), filter={"score": {"$gt": 9}})]
    # Decided divergence: InMemoryStore casts both sides to float; memcore compares by JSON type.
    assert found == (["text"] if isinstance(store, InMemoryStore) else [])


def test_search_pages_with_limit_and_offset(store):
    for i in range(5):
        store.put(("p",), f"k{i}", {"i": i})
    keys = [i.key for i in store.search(("p",), limit=10)]
    assert sorted(keys) == [f"k{i}" for i in range(5)]
    assert [i.key for i in store.search(("p",), limit=2, offset=1)] == keys[1:3]


def test_namespaces_are_listed_by_prefix_suffix_and_depth(store):
    for namespace in (("a", "x", "1"), ("a", "y", "1"), ("b", "x", "2")):
        store.put(namespace, "k", {})
    assert store.list_namespaces(prefix=("a",)) == [("a", "x", "1"), ("a", "y", "1")]
    assert store.list_namespaces(suffix=("1",)) == [("a", "x", "1"), ("a", "y", "1")]
    assert store.list_namespaces(prefix=("*", "x")) == [("a", "x", "1"), ("b", "x", "2")]
    assert store.list_namespaces(max_depth=1) == [("a",), ("b",)]
    assert store.list_namespaces(limit=1, offset=1) == [("a", "y", "1")]


def test_memcore_adds_in_nin_and_or_not(memcore_store):
    for key, lang, score in (("a", "en", 1), ("b", "de", 5), ("c", "fr", 9)):
        memcore_store.put(("d",), key, {"lang": lang, "score": score})
    found = lambda f: sorted(i.key for i in memcore_store.search(("d",), filter=f))  # noqa: E731
    assert found({"lang": {"$in": ["en", "fr"]}}) == ["a", "c"]
    assert found({"lang": {"$nin": ["en"]}}) == ["b", "c"]
    assert found({"$or": [{"lang": "en"}, {"score": {"$gt": 8}}]}) == ["a", "c"]
    assert found({"$and": [{"score": {"$gt": 1}}, {"$not": {"lang": "fr"}}]}) == ["b"]


def test_bad_input_is_refused_with_a_typed_error_and_writes_nothing(memcore_store):
    bad = [
        [PutOp(("ok",), "k", {"v": 1}), PutOp(("bad.label",), "k", {"v": 1})],
        [PutOp(("ok",), "k", {"v": 1}), PutOp(("",), "k", {"v": 1})],
        [PutOp(("ok",), "k", {"v": 1}), PutOp(("ok",), "x" * 256, {"v": 1})],
        [PutOp(("ok",), "k", {"v": 1}), PutOp(("ok",), "j", {"v": float("nan")})],
        [PutOp(("ok",), "k", {"v": 1}), PutOp(("ok",), "j", {"v": object()})],
        [PutOp(("ok",), "k", {"v": 1}), SearchOp(("ok",), filter={"v": {"$regex": "x"}})],
        [PutOp(("ok",), "k", {"v": 1}), SearchOp(("ok",), filter={"$xor": []})],
    ]
    for ops in bad:
        with pytest.raises(InvalidInput):
            memcore_store.batch(ops)
    assert memcore_store.batch([GetOp(("ok",), "k")]) == [None]


def test_an_item_expires_after_its_ttl_and_reads_refresh_it(memcore_store, clock):
    memcore_store.put(("t",), "k", {"v": 1}, ttl=1)
    clock.advance(seconds=50)
    assert memcore_store.get(("t",), "k") is not None  # refreshed: expires a minute from now
    clock.advance(seconds=50)
    assert [i.key for i in memcore_store.search(("t",), refresh_ttl=False)] == ["k"]
    clock.advance(seconds=20)
    assert memcore_store.get(("t",), "k") is None
    assert memcore_store.search(("t",)) == [] and memcore_store.list_namespaces() == []
    assert memcore_store.sweep() == 1


def test_a_text_query_uses_the_full_text_index_matching_every_word_best_first(memcore_store):
    put = memcore_store.put
    put(("n",), "dense", {"text": "tea milk tea milk tea"})
    put(("n",), "sparse", {"text": "a long note on travel plans, trains, tea and other things", "tags": ["milk"]})
    put(("n",), "half", {"text": "tea only"})
    put(("other",), "elsewhere", {"text": "tea milk"})
    hits = memcore_store.search(("n",), query="Milk TEA")
    assert [h.key for h in hits] == ["dense", "sparse"]
    assert hits[0].score > hits[1].score
    assert [h.key for h in memcore_store.search(("n",), query="milk", filter={"text": {"$ne": "x"}}, limit=1)] == [
        "dense"
    ]
    memcore_store.delete(("n",), "dense")
    assert [h.key for h in memcore_store.search(("n",), query="milk tea")] == ["sparse"]


def test_abatch_runs_the_operations(memcore_store):
    store = getattr(memcore_store, "store", memcore_store)

    async def run():
        await store.aput(("a",), "k", {"v": 2})
        await store.abatch([PutOp(("a",), "j", {"v": 3}), PutOp(("a",), "i", {"v": 4})])  # in one transaction
        return await store.aget(("a",), "k"), await store.asearch(("a",), filter={"v": {"$gt": 2}})

    item, found = memcore_store.run(run()) if store is not memcore_store else asyncio.run(run())
    assert item.value == {"v": 2} and sorted(i.key for i in found) == ["i", "j"]


def test_the_async_store_refuses_sync_calls_on_its_own_loop(engines, clock):
    store = AsyncMemcoreStore("memory://", clock=clock)
    with pytest.raises(InvalidInput):
        store.put(("a",), "k", {"v": 1})  # no loop known yet

    async def on_the_loop():
        await store.aput(("a",), "k", {"v": 1})
        with pytest.raises(InvalidInput):
            store.get(("a",), "k")  # would block the loop it waits for
        return await store.aget(("a",), "k")

    assert asyncio.run(on_the_loop()).value == {"v": 1}


@pytest.mark.parametrize("in_memory", [True, False], ids=["memory-app", "sql-app"])
def test_a_store_is_built_on_a_memcore_application(sql_url, in_memory):
    import memcore

    with memcore.connect("memory://" if in_memory else sql_url) as app:
        store = MemcoreStore(app)
        store.setup()
        store.put(("app",), "k", {"v": 1})
        assert store.get(("app",), "k").value == {"v": 1}
        store.close()  # the application's database stays open
        assert (store.db is None) is in_memory


def test_the_ttl_sweeper_deletes_expired_items_until_stopped(memcore_store, clock):
    memcore_store.put(("t",), "old", {"v": 1}, ttl=1)
    memcore_store.put(("t",), "kept", {"v": 2})
    clock.advance(minutes=2)
    assert memcore_store.sweep_ttl() == 1
    memcore_store.put(("t",), "next", {"v": 3}, ttl=1)
    clock.advance(minutes=2)
    future = memcore_store.start_ttl_sweeper(sweep_interval_minutes=0.001)  # every 60 ms
    assert memcore_store.start_ttl_sweeper() is future  # one sweeper at a time
    deadline = time.monotonic() + 10
    while _stored(memcore_store) != 1:  # the expired "next" is gone without a sweep of ours
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert memcore_store.stop_ttl_sweeper(timeout=5) and future.done()
    assert memcore_store.stop_ttl_sweeper() is True  # none running
    with pytest.raises(InvalidInput):
        memcore_store.start_ttl_sweeper(sweep_interval_minutes=0)


def _stored(store) -> int:
    """Rows kept, expired ones included."""
    if store.db is None:
        return len(getattr(store.table, "inner", store.table).rows)
    counted = store.db.fetch_value("SELECT COUNT(*) FROM langgraph_store")
    return store.run(counted) if inspect.isawaitable(counted) else counted
