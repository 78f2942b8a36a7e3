"""IdeaQueries on the in-memory Unit of Work: Specification finds, counts and analytics."""

import attrs
import pytest

from memcore.application.bootstrap import build_services
from memcore.application.ideas import commands
from memcore.application.ideas.queries import GroupStats, ScoreBucket
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.idea_factories import FIND_CASES, T0, catalog_items, idea_data
from tests.unit.builders import FakeClock


@pytest.fixture
def services():
    return build_services(InMemoryUnitOfWork(), clock=FakeClock())


@pytest.fixture
def queries(services):
    services.bus.handle(commands.AddIdeas(catalog_items()))
    return services.ideas


def ids(views):
    return [view.id for view in views]


@pytest.mark.parametrize(("spec", "expected"), FIND_CASES)
def test_find_returns_the_ideas_a_specification_matches_in_id_order(queries, spec, expected):
    assert ids(queries.find(spec)) == expected
    assert queries.count(spec) == len(expected)


def test_find_without_a_specification_returns_everything(queries):
    assert ids(queries.find()) == [1, 2, 3, 4, 5, 6, 7]
    assert queries.count() == 7


def test_newest_first_breaks_ties_on_the_id(queries):
    assert ids(queries.find(Query(order_by=[Field("created_at").desc()]))) == [5, 4, 3, 6, 2, 1, 7]


def test_missing_scores_sort_first_ascending_and_last_descending(queries):
    assert ids(queries.find(Query(order_by=[Field("score").asc()]))) == [4, 7, 2, 6, 5, 3, 1]
    assert ids(queries.find(Query(order_by=[Field("score").desc()]))) == [1, 3, 5, 6, 2, 4, 7]


def test_orderings_combine_in_sequence(queries):
    order = [Field("category").asc(), Field("score").desc()]
    assert ids(queries.find(Query(order_by=order))) == [4, 2, 6, 1, 3, 5, 7]


def test_limit_and_offset_page_through_the_order(queries):
    newest = [Field("created_at").desc()]
    assert ids(queries.find(Query(order_by=newest, limit=3, offset=2))) == [3, 6, 2]
    assert ids(queries.find(Query(order_by=newest, limit=3, offset=6))) == [7]
    assert ids(queries.find(Query(order_by=newest, limit=0))) == []
    assert ids(queries.find(Query(order_by=newest, offset=50))) == []


def test_the_issue_example_technology_over_80_newest_first_a_page_of_two(queries):
    spec = (Field("category") == "technology") & (Field("score") > 80)
    assert ids(queries.find(Query(where=spec, order_by=[Field("created_at").desc()], limit=2))) == [5, 3]


def test_views_are_frozen_copies_of_the_stored_ideas(queries):
    view = queries.get(1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        view.title = "changed"
    view.keywords.append("sneaky")
    assert queries.get(1).keywords == ["ai", "health"]
    assert queries.get(99) is None
    assert queries.get_by_source_id("nope") is None


@pytest.mark.parametrize(
    "query",
    [
        Query(order_by=[Field("keywords").asc()]),
        Field("keywords") == "ai",
        Field("keywords").startswith("a"),
        Field("keywords").contains(1),
        Field("score") == "high",
        Field("score").contains("9"),
        Field("metadata") == {},
        Field("no_such_field") == 1,
        Field("title") == None,  # noqa: E711 - is_null() is the way to ask for a missing value
        Field("created_at") > T0.replace(tzinfo=None),
    ],
)
def test_specifications_that_cannot_be_evaluated_are_refused(queries, query):
    with pytest.raises(InvalidInput):
        queries.find(query)
    spec = query.where if isinstance(query, Query) else query
    if spec != Query().where:
        with pytest.raises(InvalidInput):
            queries.count(spec)


def test_stats_by_category_count_all_and_average_scored_ones_uncategorised_first(queries):
    assert queries.stats_by_category() == [
        GroupStats(None, 1, None),
        GroupStats("art", 1, 40.0),
        GroupStats("lifestyle", 1, 80.0),
        GroupStats("technology", 4, 86.0),  # (92 + 85 + 81) / 3; the unscored idea still counts
    ]


def test_stats_by_source_type(queries):
    assert queries.stats_by_source_type() == [
        GroupStats("audio", 1, None),
        GroupStats("text", 3, pytest.approx(253 / 3)),
        GroupStats("unknown", 1, None),
        GroupStats("video", 2, 62.5),
    ]


def test_stats_follow_a_specification(queries):
    assert queries.stats_by_category(Field("source_type") == "video") == [
        GroupStats("art", 1, 40.0),
        GroupStats("technology", 1, 85.0),
    ]
    assert queries.stats_by_category(Field("score") > 100) == []


def test_top_categories_are_the_largest_then_by_name_without_the_uncategorised(queries):
    assert [(s.key, s.count) for s in queries.top_categories(2)] == [("technology", 4), ("art", 1)]
    assert [s.key for s in queries.top_categories()] == ["technology", "art", "lifestyle"]
    assert queries.top_categories(0) == []


@pytest.mark.parametrize("n", [-1, True, 1.5, "3"])
def test_top_categories_refuses_a_bad_n(queries, n):
    with pytest.raises(InvalidInput):
        queries.top_categories(n)


def test_the_score_histogram_has_ten_buckets_with_100_in_the_last(services):
    items = [idea_data(score=s) for s in (0, 9, 10, 55, 89, 90, 99, 100, None)]
    services.bus.handle(commands.AddIdeas(items))
    histogram = services.ideas.score_histogram()
    assert [(b.low, b.high) for b in histogram] == [(low, low + 9) for low in range(0, 90, 10)] + [(90, 100)]
    assert [b.count for b in histogram] == [2, 1, 0, 0, 0, 1, 0, 0, 1, 3]


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (25, [ScoreBucket(0, 24, 3), ScoreBucket(25, 49, 0), ScoreBucket(50, 74, 1), ScoreBucket(75, 100, 4)]),
        (30, [ScoreBucket(0, 29, 3), ScoreBucket(30, 59, 1), ScoreBucket(60, 89, 1), ScoreBucket(90, 100, 3)]),
        (100, [ScoreBucket(0, 100, 8)]),
        (1, None),  # 100 buckets: checked below
    ],
)
def test_the_histogram_width_is_a_parameter(services, width, expected):
    items = [idea_data(score=s) for s in (0, 9, 10, 55, 89, 90, 99, 100, None)]
    services.bus.handle(commands.AddIdeas(items))
    histogram = services.ideas.score_histogram(width=width)
    if expected is not None:
        assert histogram == expected
    else:
        assert len(histogram) == 100 and histogram[-1] == ScoreBucket(99, 100, 2)
        assert sum(b.count for b in histogram) == 8


def test_the_histogram_follows_a_specification(queries):
    histogram = queries.score_histogram(Field("category") == "technology")
    assert [(b.low, b.count) for b in histogram if b.count] == [(80, 2), (90, 1)]


@pytest.mark.parametrize("width", [0, -10, 101, True, 2.5, "10", None])
def test_an_invalid_histogram_width_is_refused(queries, width):
    with pytest.raises(InvalidInput, match="width"):
        queries.score_histogram(width=width)
