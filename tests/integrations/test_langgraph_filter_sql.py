"""The store's filters in SQL (filter_sql.py) answer as `filters.matches` does, on every dialect:
a hypothesis parity test over random documents and random filters, and a few pinned cases."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memcore.integrations.langgraph import MemcoreStore
from memcore.integrations.langgraph.filter_sql import compile_filter
from memcore.integrations.langgraph.filters import check_filter, matches
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables

KEYS = ("a", "b", "c")
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -1.5, 2.0, 1e20]),
    st.sampled_from(["", "x", "x ", "X", "é", "10", "ab", "b", "[]", "{}", "1", "true"]),
)
values = st.one_of(scalars, st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2), st.lists(scalars, max_size=2))
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=3)
comparable = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 2.0, "", "x", "ab", "é"]))
operators = st.one_of(
    st.builds(lambda op, v: {op: v}, st.sampled_from(["$eq", "$ne"]), values),
    st.builds(lambda op, v: {op: v}, st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), comparable),
    st.builds(lambda op, v: {op: v}, st.sampled_from(["$in", "$nin"]), st.lists(scalars, max_size=3)),
)
fields = st.dictionaries(st.sampled_from(KEYS), st.one_of(values, operators), min_size=1, max_size=2)
filters = st.recursive(
    fields,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"$and": parts}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda parts: {"$or": parts}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda part: {"$not": part}, inner),
    ),
    max_leaves=4,
)


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def sql_store(request, engines):
    engine = engines[request.param]
    empty_tables(engine)
    store = MemcoreStore(engine.url.render_as_string(hide_password=False))
    request.addfinalizer(store.close)
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents, min_size=1, max_size=6), wanted=st.lists(filters, min_size=1, max_size=5))
def test_sql_filters_match_the_python_filters(sql_store, docs, wanted):
    sql_store.db.execute("DELETE FROM langgraph_store")
    for i, doc in enumerate(docs):
        sql_store.put(("parity",), f"d{i}", doc)
    for f in wanted:
        check_filter(f)
        expected = sorted(f"d{i}" for i, doc in enumerate(docs) if matches(doc, f))
        found = sorted(item.key for item in sql_store.search(("parity",), filter=f, limit=100))
        assert found == expected, f


def test_typed_comparisons_are_pinned(sql_store):
    docs = {
        "int": {"v": 10},
        "float": {"v": 9.5},
        "text": {"v": "10"},
        "true": {"v": True},
        "null": {"v": None},
        "none": {},
        "obj": {"v": {"w": 1}},
        "pad": {"v": "x "},
    }
    for key, doc in docs.items():
        sql_store.put(("t",), key, doc)
    found = lambda f: sorted(i.key for i in sql_store.search(("t",), filter=f, limit=100))  # noqa: E731
    assert found({"v": {"$gt": 9}}) == ["float", "int"]
    assert found({"v": 1}) == []  # True is not the number 1
    assert found({"v": True}) == ["true"]
    assert found({"v": None}) == ["none", "null"]  # a missing key equals None
    assert found({"v": {"$ne": None}}) == ["float", "int", "obj", "pad", "text", "true"]
    assert found({"v": "x"}) == []  # no trailing-space padding
    assert found({"v": {"$gte": "10"}}) == ["pad", "text"]
    assert found({"v": {"w": 1}}) == ["obj"]
    assert found({"v": {"$in": [10, "10"]}}) == ["int", "text"]
    assert found({"v": {"$nin": []}}) == sorted(docs)


def test_what_sql_cannot_say_is_left_to_python():
    assert compile_filter({"a": [1, 2]}, "sqlite")[2] is False
    assert compile_filter({"odd key!": 1}, "postgresql")[2] is False
    _, params, exact = compile_filter({"a": 1, "$or": [{"b": [1]}, {"c": 2}]}, "mariadb")
    assert exact is False and list(params) == ["f0"]  # only `a` went to SQL
    assert compile_filter({"a": {"$gte": 1.5}}, "postgresql")[1] == {"f0": "1.5"}  # NUMERIC from its digits
