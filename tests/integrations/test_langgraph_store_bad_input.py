"""Issue 17's bad-input list for both stores, sync and async, in memory and on every dialect: each
refusal is memcore's InvalidInput (namespaces also LangGraph's InvalidNamespaceError), through the
convenience methods and through a batch, and nothing of the call or of its batch is written."""

import pytest
from langgraph.store.base import InvalidNamespaceError, PutOp, SearchOp

from memcore.errors import InvalidInput
from tests.integrations import test_langgraph_store as store_tests

clock, memcore_store = store_tests.clock, store_tests.memcore_store  # the fixtures, shared

BAD_NAMESPACES = [
    pytest.param(("",), id="empty-label"),
    pytest.param(("a", ""), id="empty-inner-label"),
    pytest.param(("a.b",), id="separator"),
    pytest.param(("a", "b.c"), id="separator-inner"),
    pytest.param(("a\x00b",), id="nul"),
    pytest.param(("a", 1), id="not-text"),
    pytest.param((), id="empty-tuple"),
    pytest.param(["a"], id="a-list"),
    pytest.param(("x" * 256,), id="oversize"),
    pytest.param(("\ud800",), id="lone-surrogate"),
]
BAD_VALUES = [
    pytest.param({"v": float("nan")}, id="nan"),
    pytest.param({"v": float("inf")}, id="infinity"),
    pytest.param({"v": object()}, id="object"),
    pytest.param({"v": {1, 2}}, id="set"),
    pytest.param({"v": b"bytes"}, id="bytes"),
    pytest.param({"v": "a\x00b"}, id="nul-in-string"),
    pytest.param({"v": ["ok", {"deep": "\ud800"}]}, id="lone-surrogate-deep"),
    pytest.param({"a\x00b": 1}, id="nul-in-key"),
    pytest.param(["not", "a", "dict"], id="not-an-object"),
]
BAD_FILTERS = [
    pytest.param({"v": {"$regex": "x"}}, id="unknown-operator"),
    pytest.param({"$xor": [{"v": 1}]}, id="unknown-combinator"),
    pytest.param({"v": {"$gt": object()}}, id="not-json-operand"),
    pytest.param({"v": {"$in": 3}}, id="in-without-a-list"),
]


def _nothing_written(store) -> None:
    assert store.get(("ok",), "k") is None
    assert store.search(()) == [] and store.list_namespaces() == []


@pytest.mark.parametrize("namespace", BAD_NAMESPACES)
def test_a_bad_namespace_is_refused_by_every_call_and_writes_nothing(memcore_store, namespace):
    calls = [
        lambda: memcore_store.put(namespace, "k", {"v": 1}),
        lambda: memcore_store.batch([PutOp(("ok",), "k", {"v": 1}), PutOp(namespace, "k", {"v": 1})]),
        lambda: memcore_store.get(namespace, "k"),
        lambda: memcore_store.delete(namespace, "k"),
    ]
    if namespace != ():  # the empty prefix searches everything
        calls.append(lambda: memcore_store.search(namespace))
    for call in calls:
        with pytest.raises(InvalidInput) as refused:
            call()
        assert isinstance(refused.value, InvalidNamespaceError) or not isinstance(namespace, tuple)
    _nothing_written(memcore_store)


def test_the_reserved_root_label_is_refused_for_writes_only(memcore_store):
    for call in (
        lambda: memcore_store.put(("langgraph", "x"), "k", {"v": 1}),
        lambda: memcore_store.batch([PutOp(("ok",), "k", {"v": 1}), PutOp(("langgraph",), "k", {"v": 1})]),
    ):
        with pytest.raises(InvalidNamespaceError):
            call()
    assert memcore_store.get(("langgraph",), "k") is None  # reading it is no error
    _nothing_written(memcore_store)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_a_value_json_or_a_dialect_cannot_hold_is_refused_and_nothing_is_written(memcore_store, value):
    with pytest.raises(InvalidInput):
        memcore_store.put(("ok",), "k", value)
    with pytest.raises(InvalidInput):
        memcore_store.batch([PutOp(("ok",), "j", {"v": 1}), PutOp(("ok",), "k", value)])
    assert memcore_store.get(("ok",), "j") is None
    _nothing_written(memcore_store)


def test_a_character_beyond_the_bmp_is_a_value_not_a_lone_surrogate(memcore_store):
    memcore_store.put(("ok",), "emoji", {"v": "tea 🍵", "\\ud800": "a backslash, not a surrogate"})
    assert memcore_store.get(("ok",), "emoji").value == {"v": "tea 🍵", "\\ud800": "a backslash, not a surrogate"}


@pytest.mark.parametrize("key", [pytest.param("x" * 256, id="oversize"), pytest.param("a\x00b", id="nul")])
def test_a_bad_key_is_refused_and_nothing_is_written(memcore_store, key):
    for call in (
        lambda: memcore_store.put(("ok",), key, {"v": 1}),
        lambda: memcore_store.batch([PutOp(("ok",), "k", {"v": 1}), PutOp(("ok",), key, {"v": 1})]),
        lambda: memcore_store.get(("ok",), key),
    ):
        with pytest.raises(InvalidInput):
            call()
    _nothing_written(memcore_store)


def test_a_key_of_the_longest_length_is_stored(memcore_store):
    memcore_store.put(("ok",), "x" * 255, {"v": 1})
    assert memcore_store.get(("ok",), "x" * 255).value == {"v": 1}


@pytest.mark.parametrize("filter", BAD_FILTERS)
def test_a_bad_filter_is_refused_and_its_batch_writes_nothing(memcore_store, filter):
    with pytest.raises(InvalidInput):
        memcore_store.search(("ok",), filter=filter)
    with pytest.raises(InvalidInput):
        memcore_store.batch([PutOp(("ok",), "k", {"v": 1}), SearchOp(("ok",), filter=filter)])
    _nothing_written(memcore_store)


@pytest.mark.parametrize("ttl", [-1, 0, "soon", True, float("nan")])
def test_a_bad_ttl_is_refused_and_nothing_is_written(memcore_store, ttl):
    with pytest.raises(InvalidInput):
        memcore_store.put(("ok",), "k", {"v": 1}, ttl=ttl)
    _nothing_written(memcore_store)


@pytest.mark.parametrize("page", [{"limit": -1}, {"offset": -1}, {"limit": "10"}, {"offset": True}])
def test_a_bad_page_is_refused(memcore_store, page):
    with pytest.raises(InvalidInput):
        memcore_store.search(("ok",), **page)
    with pytest.raises(InvalidInput):
        memcore_store.list_namespaces(**page)
