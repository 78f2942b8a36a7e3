"""The Specification kernel evaluated in Python: SQL's three-valued logic, ordering, paging, checks."""

from datetime import UTC, datetime

import attrs
import pytest

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Comparison, Field, Op, Order, Query, apply, validate


@attrs.define
class Item:
    id: str
    name: str | None = None
    score: float | None = None
    rank: int | None = None
    flag: bool | None = None
    at: datetime | None = None


SCHEMA = {"id": str, "name": str, "score": float, "rank": int, "flag": bool, "at": datetime}
AWARE = datetime(2024, 1, 1, tzinfo=UTC)


def ids(items):
    return [item.id for item in items]


def select(query, items):
    return ids(apply(query, items, SCHEMA, key="id"))


def test_field_builders_make_comparisons():
    assert (Field("rank") == 3) == Comparison("rank", Op.EQ, 3)
    assert (Field("rank") != 3) == Comparison("rank", Op.NE, 3)
    assert (Field("rank") < 3).op is Op.LT and (Field("rank") <= 3).op is Op.LE
    assert (Field("rank") > 3).op is Op.GT and (Field("rank") >= 3).op is Op.GE
    assert Field("rank").is_in([1, 2]) == Comparison("rank", Op.IN, (1, 2))
    assert Field("name").is_null() == Comparison("name", Op.IS_NULL)
    assert Field("name").contains("x").op is Op.CONTAINS
    assert Field("name").startswith("x").op is Op.STARTS_WITH
    assert (Field("rank").asc(), Field("rank").desc()) == (Order("rank"), Order("rank", descending=True))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (Field("rank") == 2, True),
        (Field("rank") != 2, False),
        (Field("rank") < 2, False),
        (Field("rank") <= 2, True),
        (Field("rank") > 1, True),
        (Field("rank") >= 3, False),
        (Field("rank").is_in((1, 2)), True),
        (Field("rank").is_in((5,)), False),
    ],
)
def test_comparisons_on_a_present_value(spec, expected):
    assert spec.evaluate(Item("a", rank=2)) is expected


def test_and_or_not_combine_specifications():
    item = Item("a", name="x", rank=2)
    assert ((Field("rank") == 2) & (Field("name") == "x")).is_satisfied_by(item)
    assert not ((Field("rank") == 2) & (Field("name") == "y")).is_satisfied_by(item)
    assert ((Field("rank") == 9) | (Field("name") == "x")).is_satisfied_by(item)
    assert not ((Field("rank") == 9) | (Field("name") == "y")).is_satisfied_by(item)
    assert (~(Field("rank") == 9)).is_satisfied_by(item)


def test_combining_with_something_else_is_refused():
    with pytest.raises(InvalidInput):
        (Field("rank") == 1) & True


@pytest.mark.parametrize("spec", [Field("rank") == 1, Field("rank") != 1, Field("rank") < 1, Field("rank").is_in((1,))])
def test_a_comparison_on_a_null_field_is_unknown_and_so_is_its_negation(spec):
    item = Item("a")
    assert spec.evaluate(item) is None
    assert (~spec).evaluate(item) is None
    assert not spec.is_satisfied_by(item) and not (~spec).is_satisfied_by(item)


def test_unknown_follows_sql_truth_tables():
    item = Item("a", rank=1)
    unknown, true, false = Field("name") == "x", Field("rank") == 1, Field("rank") == 2
    assert (unknown & false).evaluate(item) is False
    assert (unknown & true).evaluate(item) is None
    assert (unknown | true).evaluate(item) is True
    assert (unknown | false).evaluate(item) is None


def test_is_null_matches_missing_values_only():
    items = [Item("a", name=None), Item("b", name="x")]
    assert select(Query(Field("name").is_null()), items) == ["a"]
    assert select(Query(~Field("name").is_null()), items) == ["b"]


def test_an_empty_in_is_false_even_for_null_and_its_negation_true():
    for item in (Item("a"), Item("b", rank=1)):
        assert Field("rank").is_in(()).evaluate(item) is False
        assert (~Field("rank").is_in(())).evaluate(item) is True


def test_contains_and_startswith_are_case_sensitive():
    items = [Item("a", name="Hello world"), Item("b", name="hello World")]
    assert select(Query(Field("name").contains("world")), items) == ["a"]
    assert select(Query(Field("name").startswith("hello")), items) == ["b"]


def test_nulls_sort_first_ascending_and_last_descending():
    items = [Item("a", rank=2), Item("b"), Item("c", rank=1)]
    assert select(Query(order_by=[Field("rank").asc()]), items) == ["b", "c", "a"]
    assert select(Query(order_by=[Field("rank").desc()]), items) == ["a", "c", "b"]


def test_strings_sort_by_code_point():
    items = [Item("1", name="b"), Item("2", name="B"), Item("3", name="a"), Item("4", name="é")]
    assert select(Query(order_by=[Field("name").asc()]), items) == ["2", "3", "1", "4"]


def test_the_primary_key_breaks_ties_whatever_the_direction():
    items = [Item("c", rank=1), Item("a", rank=1), Item("b", rank=2)]
    assert select(Query(order_by=[Field("rank").asc()]), items) == ["a", "c", "b"]
    assert select(Query(order_by=[Field("rank").desc()]), items) == ["b", "a", "c"]
    assert select(Query(), items) == ["a", "b", "c"]


def test_later_orderings_break_ties_of_earlier_ones():
    items = [Item("a", rank=1, score=0.1), Item("b", rank=1, score=0.9), Item("c", rank=0, score=0.5)]
    assert select(Query(order_by=[Field("rank").desc(), Field("score").desc()]), items) == ["b", "a", "c"]


def test_limit_and_offset_page_the_ordered_result():
    items = [Item(str(n)) for n in range(5)]
    assert select(Query(limit=2, offset=1), items) == ["1", "2"]
    assert select(Query(offset=4), items) == ["4"]
    assert select(Query(limit=0), items) == []
    assert select(Query(limit=10, offset=3), items) == ["3", "4"]


def test_the_filter_applies_before_the_page():
    items = [Item(str(n), rank=n) for n in range(6)]
    assert select(Query(Field("rank") >= 2, limit=2, offset=1), items) == ["3", "4"]


@pytest.mark.parametrize(
    "spec",
    [
        Field("missing") == 1,
        Field("rank").contains(1),
        Field("score").startswith(1.0),
        Field("at").contains(AWARE),
        Field("flag") < True,
        Field("flag") >= False,
        Field("score") == "0.5",
        Field("rank") == True,  # noqa: E712
        Field("rank") == 1.5,
        Field("flag") == 1,
        Field("name") == 3,
        Field("name") == None,  # noqa: E711
        Field("rank").is_in((1, None)),
        Field("score") == float("nan"),
        Field("at") > datetime(2024, 1, 1),
        Field("at") == "2024-01-01",
        Field("name") == "nul\x00",
        Field("name").contains("\x00"),
        Comparison("rank", Op.IN, [1, 2]),
        Comparison("rank", Op.IN, "12"),
        Comparison("rank", "=="),
        ~(Field("rank") == 1) & (Field("missing") == 1),
    ],
)
def test_specifications_the_schema_cannot_evaluate_are_refused(spec):
    with pytest.raises(InvalidInput):
        validate(Query(spec), SCHEMA)
    with pytest.raises(InvalidInput):
        apply(Query(spec), [Item("a", rank=1)], SCHEMA, key="id")


@pytest.mark.parametrize(
    "spec",
    [Field("score") == 1, Field("at") >= AWARE, Field("flag") == False, Field("name").is_null()],  # noqa: E712
)
def test_well_typed_specifications_pass_validation(spec):
    validate(Query(spec), SCHEMA)


def test_ordering_by_an_unknown_field_is_refused():
    with pytest.raises(InvalidInput):
        validate(Query(order_by=[Field("nope").asc()]), SCHEMA)
    with pytest.raises(InvalidInput):
        validate(Query(order_by=["rank"]), SCHEMA)


@pytest.mark.parametrize("page", [{"limit": -1}, {"limit": True}, {"limit": 1.0}, {"offset": -1}, {"offset": False}])
def test_a_query_refuses_a_page_that_is_not_a_natural_number(page):
    with pytest.raises(InvalidInput):
        Query(**page)
