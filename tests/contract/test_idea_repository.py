"""One contract for the idea repository and its Unit of Work, run against every adapter."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.ideas.model import FIELDS, ContentType, IdeaDraft
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field, Query
from tests.idea_factories import an_idea


def store(uow_factory, *ideas) -> list[int]:
    with uow_factory() as uow:
        ids = [uow.ideas.add(idea) for idea in ideas]
        uow.commit()
    return ids


def titles(found) -> list[str]:
    return [idea.title for idea in found]


def fields_of(idea) -> dict:
    return {name: getattr(idea, name) for name in FIELDS}


def test_add_returns_increasing_ids_and_sets_them_on_the_idea(uow_factory):
    first, second = an_idea(), an_idea()
    ids = store(uow_factory, first, second)
    assert all(type(i) is int for i in ids) and ids[0] < ids[1]
    assert (first.id, second.id) == tuple(ids)
    assert store(uow_factory, an_idea())[0] > ids[1]


def test_a_committed_idea_reads_back_field_for_field_and_a_missing_one_as_none(uow_factory):
    original = an_idea(
        title="Ünïcode 🚀 «title»",
        description="line one\nline two\ttab",
        keywords=["ai", "日本", 'say "hi"', "a\\b", ""],
        metadata={"nested": {"list": [1, 2.5, None, True, {"deep": ["x"]}]}, "big": 2**62, "neg": -(2**63)},
        source_url="https://example.com/watch?v=1&t=2",
        source_created_by="créateur",
        source_created_at=datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        subcategory_relevance={"ml": 2**31 - 1, "ethik": -5},
        contextual_category_scores={"新闻": 0},
    )
    (idea_id,) = store(uow_factory, original)
    with uow_factory() as uow:
        by_id = uow.ideas.get(idea_id)
        by_source = uow.ideas.get_by_source_id(original.source_id)
        missing = (uow.ideas.get(idea_id + 1000), uow.ideas.get_by_source_id(original.source_id.upper() + " "))
    assert fields_of(by_id) == fields_of(original)
    assert fields_of(by_source) == fields_of(original)
    assert by_id.events == []
    assert missing == (None, None)


def test_the_source_type_reads_back_as_a_content_type_from_a_get_a_list_and_a_refresh(uow_factory):
    ids = store(uow_factory, an_idea(source_type=ContentType.VIDEO), an_idea(source_type="audio"))
    with uow_factory() as uow:
        assert uow.ideas.get(ids[0]).source_type is ContentType.VIDEO
        listed = uow.ideas.list(Query(where=Field("source_type") == ContentType.AUDIO))
        assert [(idea.id, idea.source_type) for idea in listed] == [(ids[1], ContentType.AUDIO)]
        assert type(listed[0].source_type) is ContentType
        listed[0].source_type = "text"
        uow.commit()
    with uow_factory() as uow:
        assert uow.ideas.get(ids[1]).source_type is ContentType.TEXT


def test_timestamps_keep_microseconds_and_come_back_in_utc(uow_factory):
    local = datetime(2026, 5, 6, 7, 8, 9, 654321, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    (idea_id,) = store(uow_factory, an_idea(created_at=local, updated_at=local, source_created_at=local))
    with uow_factory() as uow:
        loaded = uow.ideas.get(idea_id)
    for stamp in (loaded.created_at, loaded.updated_at, loaded.source_created_at):
        assert stamp == local and stamp.tzinfo == UTC and stamp.microsecond == 654321


def test_add_many_stores_every_idea_with_an_id(uow_factory):
    batch = [an_idea(title=f"bulk {i}", keywords=[f"k{i}"], score=i) for i in range(5)]
    with uow_factory() as uow:
        assert uow.ideas.add_many(batch) == 5
        assert uow.ideas.add_many([]) == 0
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.ideas.list(Query(order_by=[Field("score").asc()]))
    assert titles(loaded) == [f"bulk {i}" for i in range(5)]
    assert len({idea.id for idea in loaded}) == 5 and all(isinstance(idea.id, int) for idea in loaded)
    assert [fields_of(i) | {"id": None} for i in loaded] == [fields_of(i) | {"id": None} for i in batch]


def test_add_many_stores_drafts_alongside_ideas(uow_factory):
    idea = an_idea(title="entity", score=1, keywords=["x"])
    source = an_idea(title="draft", score=2, metadata={"k": ["v", 1]})
    draft = IdeaDraft.from_dict({name: value for name, value in fields_of(source).items() if name != "id"})
    with uow_factory() as uow:
        assert uow.ideas.add_many([idea, draft]) == 2
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.ideas.list(Query(order_by=[Field("score").asc()]))
    assert [fields_of(i) | {"id": None} for i in loaded] == [
        fields_of(idea) | {"id": None},
        fields_of(source) | {"id": None},
    ]


def test_ideas_without_a_source_id_do_not_clash(uow_factory):
    store(uow_factory, an_idea(source_id=None), an_idea(source_id=None))
    with uow_factory() as uow:
        uow.ideas.add_many([an_idea(source_id=None), an_idea(source_id=None)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.ideas.count(Field("source_id").is_null()) == 4


def test_a_duplicate_source_id_is_refused_and_changes_nothing(uow_factory):
    store(uow_factory, an_idea(source_id="yt:1", title="first"))
    with pytest.raises(AlreadyExists), uow_factory() as uow:
        uow.ideas.add(an_idea(source_id="yt:1", title="second"))
        uow.commit()
    with uow_factory() as uow:
        assert titles(uow.ideas.list()) == ["first"]


@pytest.mark.parametrize("clash", ["stored", "in the batch"])
def test_a_batch_with_a_duplicate_source_id_writes_nothing(uow_factory, clash):
    store(uow_factory, an_idea(source_id="yt:1"))
    duplicate = "yt:1" if clash == "stored" else "yt:2"
    with pytest.raises(AlreadyExists), uow_factory() as uow:
        uow.ideas.add_many([an_idea(source_id="yt:2"), an_idea(), an_idea(source_id=duplicate)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.ideas.count() == 1


def test_nothing_is_written_without_commit(uow_factory):
    with uow_factory() as uow:
        uow.ideas.add(an_idea(source_id="a"))
        uow.ideas.add_many([an_idea(source_id="b")])
    with uow_factory() as uow:
        assert uow.ideas.count() == 0
        assert uow.ideas.get_by_source_id("a") is None


def test_an_error_inside_the_block_rolls_back(uow_factory):
    (idea_id,) = store(uow_factory, an_idea(score=1))
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.ideas.get(idea_id).score = 99
        uow.ideas.add_many([an_idea()])
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.ideas.count() == 1
        assert uow.ideas.get(idea_id).score == 1


def test_changes_to_a_loaded_idea_are_saved_on_commit_only(uow_factory):
    (idea_id,) = store(uow_factory, an_idea(score=1, keywords=["old"]))
    with uow_factory() as uow:
        uow.ideas.get(idea_id).score = 50
    with uow_factory() as uow:
        idea = uow.ideas.get(idea_id)
        assert idea.score == 1
        idea.score, idea.keywords, idea.category = None, ["new", "ones"], "changed"
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.ideas.get(idea_id)
    assert (loaded.score, loaded.keywords, loaded.category) == (None, ["new", "ones"], "changed")


def test_in_place_changes_to_list_and_dict_fields_are_saved_on_commit(uow_factory):
    (idea_id,) = store(uow_factory, an_idea(keywords=["ai"], metadata={"v": 1}))
    with uow_factory() as uow:
        idea = uow.ideas.get(idea_id)
        idea.keywords.append("ml")
        idea.metadata["w"] = 2
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.ideas.get(idea_id)
    assert (loaded.keywords, loaded.metadata) == (["ai", "ml"], {"v": 1, "w": 2})


def test_an_idea_added_in_a_transaction_is_the_one_read_back_and_later_changes_are_saved(uow_factory):
    idea = an_idea(score=5)
    with uow_factory() as uow:
        idea_id = uow.ideas.add(idea)
        assert uow.ideas.get(idea_id) is idea
        idea.score = 6
        uow.commit()
    with uow_factory() as uow:
        assert uow.ideas.get(idea_id).score == 6


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (Field("keywords").contains("ai"), ["ai"]),
        (Field("keywords").contains("AI"), ["AI"]),
        (Field("keywords").contains("a"), ["a"]),
        (Field("keywords").contains("ai "), ["ai space"]),
        (Field("keywords").contains('say "hi"'), ["quote"]),
        (Field("keywords").contains("50%"), ["percent"]),
        (Field("keywords").contains("a_b"), ["underscore"]),
    ],
)
def test_keyword_containment_is_exact_and_case_sensitive(uow_factory, spec, expected):
    kinds = {"ai": ["x", "ai"], "AI": ["AI"], "a": ["a"], "ab": ["ab", "aim"], "ai space": ["ai "]}
    kinds |= {"quote": ['say "hi"'], "percent": ["50%"], "underscore": ["a_b", "axb"], "none": []}
    store(uow_factory, *(an_idea(title=title, keywords=words) for title, words in kinds.items()))
    with uow_factory() as uow:
        assert titles(uow.ideas.list(spec)) == expected
        assert uow.ideas.count(spec) == len(expected)


def test_non_ascii_keywords_are_found(uow_factory):
    store(uow_factory, an_idea(title="jp", keywords=["日本"]), an_idea(title="fr", keywords=["café", "🚀"]))
    with uow_factory() as uow:
        assert titles(uow.ideas.list(Field("keywords").contains("日本"))) == ["jp"]
        assert titles(uow.ideas.list(Field("keywords").contains("🚀"))) == ["fr"]
        assert uow.ideas.count(Field("keywords").contains("cafe")) == 0


def test_text_contains_and_startswith_are_case_sensitive_and_literal(uow_factory):
    names = ["Machine Learning", "machine learning", "MACHINE", "learning machines", "50% off", "a_b", "🚀 launch"]
    store(uow_factory, *(an_idea(title=name, description=None) for name in names))
    with uow_factory() as uow:
        found = lambda spec: sorted(titles(uow.ideas.list(spec)))  # noqa: E731
        assert found(Field("title").contains("Machine")) == ["Machine Learning"]
        assert found(Field("title").contains("machine")) == ["learning machines", "machine learning"]
        assert found(Field("title").startswith("machine")) == ["machine learning"]
        assert found(Field("title").contains("%")) == ["50% off"]
        assert found(Field("title").contains("_")) == ["a_b"]
        assert found(Field("title").startswith("🚀")) == ["🚀 launch"]
        assert found(Field("description").contains("a")) == []  # NULL text matches nothing


def test_ordering_puts_null_scores_first_ascending_and_last_descending_with_ties_by_id(uow_factory):
    scores = {"n1": None, "s50a": 50, "s10": 10, "n2": None, "s50b": 50, "s90": 90}
    store(uow_factory, *(an_idea(title=t, score=s) for t, s in scores.items()))
    with uow_factory() as uow:
        ascending = titles(uow.ideas.list(Query(order_by=[Field("score").asc()])))
        descending = titles(uow.ideas.list(Query(order_by=[Field("score").desc()])))
    assert ascending == ["n1", "n2", "s10", "s50a", "s50b", "s90"]
    assert descending == ["s90", "s50a", "s50b", "s10", "n1", "n2"]


def test_limit_and_offset_page_through_a_stable_order(uow_factory):
    same = datetime(2026, 1, 1, tzinfo=UTC)
    store(uow_factory, *(an_idea(title=f"p{i}", created_at=same, updated_at=same) for i in range(7)))
    order = [Field("created_at").desc()]
    with uow_factory() as uow:
        pages = [titles(uow.ideas.list(Query(order_by=order, limit=3, offset=o))) for o in (0, 3, 6, 9)]
    assert pages == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"], []]


def test_remove_deletes_only_what_the_specification_matches(uow_factory):
    store(uow_factory, *(an_idea(title=t, category=c) for t, c in [("a", "x"), ("b", "y"), ("c", "x"), ("d", None)]))
    with uow_factory() as uow:
        assert uow.ideas.remove(Field("category") == "x") == 2
        uow.commit()
    with uow_factory() as uow:
        assert sorted(titles(uow.ideas.list())) == ["b", "d"]
        assert uow.ideas.remove(Field("category") == "nothing") == 0


@pytest.mark.parametrize(
    "spec", [Field("keywords") == "ai", Field("metadata") == {}, Field("score") == "high", Field("nope").is_null()]
)
def test_a_specification_that_cannot_be_evaluated_raises_everywhere(uow_factory, spec):
    store(uow_factory, an_idea())
    for call in ("list", "count", "remove"):
        with uow_factory() as uow, pytest.raises(InvalidInput):
            getattr(uow.ideas, call)(spec)
    with uow_factory() as uow:
        assert uow.ideas.count() == 1


def test_an_in_place_change_made_before_a_remove_in_the_same_transaction_is_kept(uow_factory):
    kept, doomed = store(uow_factory, an_idea(title="kept", keywords=["a"]), an_idea(title="doomed"))
    with uow_factory() as uow:
        uow.ideas.get(kept).keywords.append("b")
        uow.ideas.get(doomed)
        assert uow.ideas.remove(Field("title") == "doomed") == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.ideas.get(kept).keywords == ["a", "b"]
        assert uow.ideas.get(doomed) is None
