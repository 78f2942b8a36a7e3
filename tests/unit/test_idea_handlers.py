"""The ideas write-side use cases on the in-memory Unit of Work, driven through the message bus."""

from datetime import timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.ideas import commands
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.idea_factories import idea_data
from tests.unit.builders import T0, FakeClock


@pytest.fixture
def services():
    return build_services(InMemoryUnitOfWork(), clock=FakeClock())


def add(services, **fields):
    return services.bus.handle(commands.AddIdea(idea_data(**fields)))


def add_batch(services, *items):
    return services.bus.handle(commands.AddIdeas(items))


def upsert(services, **fields):
    return services.bus.handle(commands.UpsertIdea(idea_data(**fields)))


def test_adding_ideas_returns_increasing_ids_and_stamps_the_clock_time(services):
    ids = [add(services, title=f"t{i}") for i in range(3)]
    assert ids == [1, 2, 3]
    view = services.ideas.get(2)
    second = T0 + timedelta(seconds=1)
    assert (view.title, view.created_at, view.updated_at) == ("t1", second, second)


def test_adding_keeps_given_timestamps_and_ignores_a_given_id(services):
    created = T0 - timedelta(days=30)
    idea_id = add(services, id=999, created_at=created.isoformat(), updated_at=created)
    assert idea_id == 1
    view = services.ideas.get(1)
    assert (view.created_at, view.updated_at) == (created, created)
    assert services.ideas.get(999) is None


def test_an_invalid_idea_is_refused_and_nothing_is_stored(services):
    with pytest.raises(InvalidInput, match="score"):
        add(services, score=150)
    assert services.ideas.count() == 0


def test_adding_a_second_idea_with_the_same_source_id_is_refused(services):
    add(services, source_id="yt:1", title="first")
    with pytest.raises(AlreadyExists):
        add(services, source_id="yt:1", title="second")
    assert [v.title for v in services.ideas.find()] == ["first"]


def test_a_batch_is_stored_whole_with_ids_assigned(services):
    added = add_batch(services, idea_data(title="a"), idea_data(title="b"), idea_data(title="c", source_id=None))
    assert added == 3
    assert [(v.id, v.title) for v in services.ideas.find()] == [(1, "a"), (2, "b"), (3, "c")]


def test_an_empty_batch_adds_nothing(services):
    assert add_batch(services) == 0
    assert services.ideas.count() == 0


def test_one_invalid_item_rejects_the_batch_naming_its_index_and_title(services):
    items = [idea_data(title="good"), idea_data(title="fine"), idea_data(title="Bad one", keywords="ai")]
    with pytest.raises(InvalidInput, match=r"#2 \('Bad one'\).*keywords"):
        add_batch(services, *items)
    assert services.ideas.count() == 0


def test_a_batch_repeating_a_source_id_names_both_items_and_stores_nothing(services):
    items = [idea_data(source_id="dup", title="one"), idea_data(title="two"), idea_data(source_id="dup", title="three")]
    with pytest.raises(InvalidInput, match=r"#2 \('three'\) repeats the source_id of idea #0"):
        add_batch(services, *items)
    assert services.ideas.count() == 0


def test_a_batch_clashing_with_a_stored_source_id_stores_nothing(services):
    add(services, source_id="taken")
    with pytest.raises(AlreadyExists):
        add_batch(services, idea_data(title="new"), idea_data(source_id="taken"))
    assert services.ideas.count() == 1


def test_a_batch_item_without_a_title_is_named_by_its_index(services):
    with pytest.raises(InvalidInput, match="#1"):
        add_batch(services, idea_data(), {"description": "forgot the title"})


def test_a_batch_item_that_is_not_a_mapping_is_named_by_its_index(services):
    with pytest.raises(InvalidInput, match="#1"):
        add_batch(services, idea_data(), "just a title")


def test_upsert_creates_an_idea_for_a_new_source_id(services):
    assert upsert(services, source_id="rss:42", title="first") == (1, True)
    assert services.ideas.get_by_source_id("rss:42").title == "first"


def test_upsert_updates_the_idea_with_the_same_source_id(services):
    idea_id, _ = upsert(services, source_id="rss:42", title="first", score=10, keywords=["a"], metadata={"v": 1})
    created = services.ideas.get(idea_id).created_at
    again = upsert(services, source_id="rss:42", title="second", score=90, keywords=["b", "c"], metadata={"w": 2})
    view = services.ideas.get(idea_id)
    assert again == (idea_id, False)
    assert services.ideas.count() == 1
    assert (view.title, view.score, view.keywords, view.metadata) == ("second", 90, ["b", "c"], {"w": 2})
    assert view.created_at == created
    assert view.updated_at > created


def test_upsert_keeps_the_original_creation_time_even_when_one_is_given(services):
    idea_id, _ = upsert(services, source_id="s")
    created = services.ideas.get(idea_id).created_at
    upsert(services, source_id="s", created_at=T0 + timedelta(days=5))
    assert services.ideas.get(idea_id).created_at == created


def test_upsert_of_different_source_ids_creates_separate_ideas(services):
    assert [upsert(services, source_id=s)[0] for s in ("a", "b", "a")] == [1, 2, 1]
    assert services.ideas.count() == 2


def test_upsert_without_a_source_id_is_refused(services):
    with pytest.raises(InvalidInput, match="source_id"):
        upsert(services, source_id=None)
    assert services.ideas.count() == 0


def test_an_invalid_upsert_leaves_the_stored_idea_unchanged(services):
    upsert(services, source_id="s", title="kept", score=5)
    with pytest.raises(InvalidInput):
        upsert(services, source_id="s", title="lost", score=500)
    assert (services.ideas.get(1).title, services.ideas.get(1).score) == ("kept", 5)


def test_removing_ideas_deletes_the_given_ids_and_ignores_unknown_ones(services):
    for i in range(4):
        add(services, title=f"t{i}")
    removed = services.bus.handle(commands.RemoveIdeas([1, 3, 99]))
    assert removed == 2
    assert [v.id for v in services.ideas.find()] == [2, 4]
    assert services.bus.handle(commands.RemoveIdeas([])) == 0


@pytest.mark.parametrize("bad", ["1", True, 1.0, None])
def test_removing_refuses_ids_that_are_not_integers(services, bad):
    add(services)
    with pytest.raises(InvalidInput):
        services.bus.handle(commands.RemoveIdeas([bad]))
    assert services.ideas.count() == 1


def test_ids_are_not_reused_after_removal(services):
    add(services)
    services.bus.handle(commands.RemoveIdeas([1]))
    assert add(services) == 2
