"""The stores' optional vector index (`index={"dims", "embed", "fields"}`), exact cosine ranking,
the same on LangGraph's InMemoryStore, in memory and on every dialect, sync and async."""

import math

import pytest
from langgraph.store.base import PutOp
from langgraph.store.memory import InMemoryStore
from sqlalchemy import func, select

from memcore.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.tables import langgraph_store_vectors
from memcore.integrations.langgraph import AsyncMemcoreStore, MemcoreStore
from tests.conftest import empty_tables
from tests.integrations import test_langgraph_store as store_tests

clock = store_tests.clock  # the fixture, shared
WORDS = ("tea", "coffee", "train", "garden", "music", "rain")


def embed(texts: list[str]) -> list[list[float]]:
    """A deterministic bag of words over WORDS (plus one constant dimension, never all zero)."""
    return [[float(text.lower().count(word)) for word in WORDS] + [0.1] for text in texts]


INDEX = {"dims": len(WORDS) + 1, "embed": embed, "fields": ["text"]}


def _indexed(request, engines, clock, index=INDEX):
    kind, adapter = request.param.split("-") if "-" in request.param else ("sync", request.param)
    url, engine = "memory://", None
    if adapter != "memory":
        engine = engines[adapter]
        empty_tables(engine)
        url = engine.url.render_as_string(hide_password=False)
    if kind == "sync":
        store = MemcoreStore(url, clock=clock, index=index)
    else:
        store = store_tests.OnLoop(AsyncMemcoreStore(url, clock=clock, index=index))
    request.addfinalizer(store.close)
    store.engine = engine
    return store


@pytest.fixture(params=[pytest.param("inmemory", id="langgraph-inmemory"), *store_tests.MEMCORE])
def store(request, engines, clock):
    """LangGraph's InMemoryStore or memcore's stores, all with the same index config."""
    return InMemoryStore(index=INDEX) if request.param == "inmemory" else _indexed(request, engines, clock)


@pytest.fixture(params=store_tests.MEMCORE)
def memcore_store(request, engines, clock):
    return _indexed(request, engines, clock)


@pytest.fixture(params=store_tests.MEMCORE)
def three_dims(request, engines, clock):
    """A store whose index expects 3 dimensions, while the embedder gives 7."""
    return _indexed(request, engines, clock, {"dims": 3, "embed": embed, "fields": ["text"]})


def _fill(store) -> None:
    store.put(("n",), "drinks", {"text": "tea tea coffee", "kind": "note"})
    store.put(("n",), "travel", {"text": "a train in the rain", "kind": "note"})
    store.put(("n",), "home", {"text": "garden music and tea", "kind": "fact"})
    store.put(("other",), "away", {"text": "tea tea tea"})


def test_a_query_ranks_by_cosine_best_first_as_langgraph_does(store):
    _fill(store)
    hits = store.search(("n",), query="tea", limit=10)
    assert [h.key for h in hits] == ["drinks", "home", "travel"]
    assert hits[0].score > hits[1].score > hits[2].score
    expected = sum(a * b for a, b in zip(embed(["tea"])[0], embed(["tea tea coffee"])[0], strict=True))
    expected /= math.dist(embed(["tea"])[0], [0] * 7) * math.dist(embed(["tea tea coffee"])[0], [0] * 7)
    assert hits[0].score == pytest.approx(expected, rel=1e-5)
    assert [h.key for h in store.search(("n",), query="rain train", limit=1)] == ["travel"]
    assert [h.key for h in store.search(("n",), query="tea", limit=1, offset=1)] == ["home"]


def test_a_query_with_a_filter_ranks_only_what_the_filter_keeps(store):
    _fill(store)
    assert [h.key for h in store.search(("n",), query="tea", filter={"kind": "note"})] == ["drinks", "travel"]


def test_an_item_put_without_index_comes_last_unscored(store):
    _fill(store)
    store.put(("n",), "plain", {"text": "tea tea tea tea"}, index=False)
    hits = store.search(("n",), query="tea", limit=10)
    assert [h.key for h in hits][-1] == "plain" and hits[-1].score is None
    assert hits[0].key == "drinks"


def test_a_new_value_replaces_the_vectors_and_a_delete_removes_them(memcore_store):
    _fill(memcore_store)
    memcore_store.put(("n",), "drinks", {"text": "music music", "kind": "note"})
    assert memcore_store.search(("n",), query="music", limit=1)[0].key == "drinks"
    assert memcore_store.search(("n",), query="coffee", limit=1)[0].key != "drinks"
    memcore_store.delete(("n",), "drinks")
    memcore_store.delete(("n",), "travel")
    assert [h.key for h in memcore_store.search(("n",), query="music")] == ["home"]
    if memcore_store.engine is not None:
        with memcore_store.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(langgraph_store_vectors)) == 2


def test_an_embedding_of_the_wrong_size_is_refused_and_nothing_is_written(three_dims):
    bad = three_dims
    with pytest.raises(InvalidInput, match="dimensions"):
        bad.batch([PutOp(("n",), "ok", {"v": 1}), PutOp(("n",), "k", {"text": "tea"})])
    with pytest.raises(InvalidInput, match="dimensions"):
        bad.put(("n",), "k", {"text": "tea"})
    assert bad.get(("n",), "ok") is None and bad.get(("n",), "k") is None


def test_a_bad_index_config_or_put_index_is_refused(memcore_store):
    for config in ({"dims": 0, "embed": embed}, {"dims": 3}, {"dims": 3, "embed": embed, "fields": "text"}):
        with pytest.raises(InvalidInput):
            MemcoreStore("memory://", index=config)
    with pytest.raises(InvalidInput):
        memcore_store.put(("n",), "k", {"text": "tea"}, index="text")
    assert memcore_store.get(("n",), "k") is None


def test_without_an_index_a_query_still_uses_the_full_text_index():
    plain = MemcoreStore("memory://")
    plain.put(("n",), "k", {"text": "tea and coffee"})
    assert [h.key for h in plain.search(("n",), query="coffee")] == ["k"]
