"""The ideas read model and use cases agree with the repository and give the same answers on every adapter."""

from datetime import timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.ideas import commands
from memcore.application.ideas.queries import GroupStats, ScoreBucket
from memcore.application.ideas.views import GroupTotals, IdeaView
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field, Query
from tests.idea_factories import FIND_CASES, T0, an_idea, catalog_items, catalog_title, idea_data
from tests.unit.builders import FakeClock


@pytest.fixture
def services(uow_factory):
    return build_services(uow_factory(), clock=FakeClock())


@pytest.fixture
def catalog(services):
    """The shared CATALOG, stored through the batch use case; returns the query use cases."""
    assert services.bus.handle(commands.AddIdeas(catalog_items())) == 7
    return services.ideas


def titles(views) -> list[str]:
    return [view.title for view in views]


QUERIES = [
    None,
    Field("keywords").contains("ai"),
    Query(where=Field("score") >= 80, order_by=[Field("created_at").desc()], limit=3),
    Query(order_by=[Field("category").asc(), Field("score").desc()], offset=2),
    Query(where=Field("title").contains("o"), order_by=[Field("title").desc()]),
]


@pytest.mark.parametrize("query", QUERIES)
def test_views_match_the_aggregates_the_repository_returns(uow_factory, catalog, query):
    with uow_factory() as uow:
        expected = [IdeaView.of(idea) for idea in uow.ideas.list(query)]
        first = uow.ideas.list()[0]
    where = query.where if isinstance(query, Query) else query
    with uow_factory() as uow:
        matching = uow.ideas.count(where)
    views = uow_factory().idea_views
    assert views.list(query) == expected
    assert views.count(where) == matching
    assert views.get(first.id) == IdeaView.of(first)
    assert views.get_by_source_id(first.source_id) == IdeaView.of(first)
    assert views.get(first.id + 1000) is None
    assert views.get_by_source_id("missing") is None


def test_views_do_not_see_an_open_transaction(uow_factory):
    uow = uow_factory()
    with uow:
        idea_id = uow.ideas.add(an_idea(source_id="uncommitted", category="c", score=70))
        if hasattr(uow, "session"):  # make the SQL adapters really send the row
            uow.session.flush()
        views = uow.idea_views
        assert (views.get(idea_id), views.get_by_source_id("uncommitted")) == (None, None)
        assert (views.list(), views.count(), views.totals_by("category"), views.score_counts()) == ([], 0, [], {})
        uow.commit()
    assert uow.idea_views.get(idea_id).source_id == "uncommitted"
    assert uow.idea_views.score_counts() == {70: 1}


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("category", [(None, 1, 0, 0), ("art", 1, 1, 40), ("lifestyle", 1, 1, 80), ("technology", 4, 3, 258)]),
        ("source_type", [("audio", 1, 0, 0), ("text", 3, 3, 253), ("unknown", 1, 0, 0), ("video", 2, 2, 125)]),
    ],
)
def test_totals_by_group_count_scored_and_sum_per_value(uow_factory, catalog, field, expected):
    totals = uow_factory().idea_views.totals_by(field)
    assert sorted(totals, key=lambda t: (t.key is not None, t.key or "")) == [GroupTotals(*row) for row in expected]


def test_groups_and_text_compare_by_code_point(uow_factory, services):
    categories = ["tech", "Tech", "tech ", "", None, "tech"]
    items = [idea_data(category=c, score=10 * (i + 1)) for i, c in enumerate(categories)]
    services.bus.handle(commands.AddIdeas(items))
    assert services.ideas.stats_by_category() == [
        GroupStats(None, 1, 50.0),
        GroupStats("", 1, 40.0),
        GroupStats("Tech", 1, 20.0),
        GroupStats("tech", 2, 35.0),
        GroupStats("tech ", 1, 30.0),
    ]
    assert services.ideas.count(Field("category") == "tech") == 2


def test_score_counts_leave_out_ideas_without_a_score(uow_factory, catalog):
    views = uow_factory().idea_views
    assert views.score_counts() == {92: 1, 40: 1, 85: 1, 81: 1, 80: 1}
    assert views.score_counts(Field("category") == "technology") == {92: 1, 85: 1, 81: 1}


def test_grouping_by_a_field_other_than_category_or_source_type_is_refused(uow_factory, catalog):
    views = uow_factory().idea_views
    for field in ("title", "score", "nope"):
        with pytest.raises(InvalidInput):
            views.totals_by(field)


def test_a_view_looked_up_with_a_non_integer_id_is_refused(uow_factory, catalog):
    first_id = uow_factory().idea_views.list()[0].id
    with pytest.raises(InvalidInput):
        uow_factory().idea_views.get(str(first_id))


def test_the_repository_refuses_a_non_integer_id(uow_factory, catalog):
    idea_id = uow_factory().idea_views.list()[0].id
    with uow_factory() as uow, pytest.raises(InvalidInput):
        uow.ideas.get(str(idea_id))


@pytest.mark.parametrize(("spec", "expected"), FIND_CASES)
def test_find_and_count_give_the_same_ideas_on_every_adapter(catalog, spec, expected):
    assert titles(catalog.find(spec)) == [catalog_title(n) for n in expected]
    assert catalog.count(spec) == len(expected)


def test_orderings_and_pages_give_the_same_ideas_on_every_adapter(catalog):
    def found(*order, **page):
        return [catalog_title(n) for n in order], titles(catalog.find(Query(order_by=list(page.pop("by")), **page)))

    newest, score = Field("created_at").desc(), Field("score")
    for expected, actual in (
        found(5, 4, 3, 6, 2, 1, 7, by=[newest]),
        found(4, 7, 2, 6, 5, 3, 1, by=[score.asc()]),
        found(1, 3, 5, 6, 2, 4, 7, by=[score.desc()]),
        found(4, 2, 6, 1, 3, 5, 7, by=[Field("category").asc(), score.desc()]),
        found(3, 6, 2, by=[newest], limit=3, offset=2),
    ):
        assert actual == expected


def test_analytics_give_the_same_answers_on_every_adapter(catalog):
    assert catalog.stats_by_category() == [
        GroupStats(None, 1, None),
        GroupStats("art", 1, 40.0),
        GroupStats("lifestyle", 1, 80.0),
        GroupStats("technology", 4, 86.0),
    ]
    assert catalog.stats_by_source_type() == [
        GroupStats("audio", 1, None),
        GroupStats("text", 3, 253 / 3),
        GroupStats("unknown", 1, None),
        GroupStats("video", 2, 62.5),
    ]
    assert [(s.key, s.count) for s in catalog.top_categories(2)] == [("technology", 4), ("art", 1)]
    assert catalog.top_categories(0) == []
    assert [b.count for b in catalog.score_histogram()] == [0, 0, 0, 0, 1, 0, 0, 0, 3, 1]
    assert catalog.score_histogram(Field("source_type") == "text", width=50) == [
        ScoreBucket(0, 49, 0),
        ScoreBucket(50, 100, 3),
    ]


def test_the_histogram_puts_100_in_the_last_bucket_on_every_adapter(services):
    services.bus.handle(commands.AddIdeas([idea_data(score=s) for s in (0, 9, 10, 89, 90, 100, None)]))
    assert [b.count for b in services.ideas.score_histogram()] == [2, 1, 0, 0, 0, 0, 0, 0, 1, 2]
    assert services.ideas.score_histogram(width=30)[-1] == ScoreBucket(90, 100, 2)


def test_upsert_creates_then_updates_in_place_on_every_adapter(services):
    idea_id, created = services.bus.handle(commands.UpsertIdea(idea_data(source_id="s", score=10, keywords=["a"])))
    first = services.ideas.get(idea_id)
    again = services.bus.handle(commands.UpsertIdea(idea_data(source_id="s", title="new", score=None, keywords=["b"])))
    view = services.ideas.get_by_source_id("s")
    assert (created, again) == (True, (idea_id, False))
    assert (view.id, view.title, view.score, view.keywords) == (idea_id, "new", None, ["b"])
    assert (view.created_at, view.updated_at) == (first.created_at, first.updated_at + timedelta(seconds=1))
    assert services.ideas.count() == 1


def test_a_failed_batch_writes_nothing_on_every_adapter(services):
    services.bus.handle(commands.AddIdea(idea_data(source_id="taken", created_at=T0)))
    with pytest.raises(AlreadyExists):
        services.bus.handle(commands.AddIdeas([idea_data(), idea_data(source_id="taken")]))
    with pytest.raises(InvalidInput, match="#1"):
        services.bus.handle(commands.AddIdeas([idea_data(), idea_data(score=-1)]))
    assert services.ideas.count() == 1
