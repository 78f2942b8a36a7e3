"""IdeaInspiration's invariants, its plain-dict form, and the builders for each kind of source."""

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from memcore.domain.ideas.model import IdeaDraft, IdeaInspiration
from memcore.domain.shared.errors import InvalidInput
from tests.idea_factories import T0, an_idea

NAIVE = datetime(2026, 1, 1, 12, 0)


@pytest.mark.parametrize("title", ["", "   ", "\t\n", None, 42, "a\x00b", "x" * 1001])
def test_a_title_is_required_non_empty_text(title):
    with pytest.raises(InvalidInput):
        an_idea(title=title)


@pytest.mark.parametrize("score", [0, 1, 99, 100, None])
def test_a_score_is_an_integer_from_0_to_100_or_missing(score):
    assert an_idea(score=score).score == score


@pytest.mark.parametrize("score", [-1, 101, True, False, 50.0, "50", 2**70])
def test_a_score_outside_0_to_100_or_not_an_int_is_refused(score):
    with pytest.raises(InvalidInput, match="score"):
        an_idea(score=score)


def test_assigning_an_invalid_value_is_refused_and_leaves_the_idea_unchanged():
    idea = an_idea(score=10)
    with pytest.raises(InvalidInput):
        idea.score = 101
    with pytest.raises(InvalidInput):
        idea.title = ""
    assert idea.score == 10
    assert idea.title.startswith("Idea")


def test_keywords_are_a_list_of_strings_and_a_tuple_is_stored_as_a_list():
    assert an_idea(keywords=("ai", "ml")).keywords == ["ai", "ml"]
    assert an_idea(keywords=[]).keywords == []


@pytest.mark.parametrize("keywords", ["ai", ["ai", 1], ["ai", None], [b"ai"], {"ai": 1}, None, ["a\x00"]])
def test_keywords_that_are_not_a_list_of_strings_are_refused(keywords):
    with pytest.raises(InvalidInput, match="keywords"):
        an_idea(keywords=keywords)


@pytest.mark.parametrize("source_type", ["text", "video", "audio", "unknown"])
def test_the_four_source_types_are_accepted(source_type):
    assert an_idea(source_type=source_type).source_type == source_type


@pytest.mark.parametrize("source_type", ["podcast", "Text", "", None, 1])
def test_the_constructor_refuses_an_unknown_source_type(source_type):
    with pytest.raises(InvalidInput, match="source type"):
        an_idea(source_type=source_type)


@pytest.mark.parametrize("source_type", ["podcast", "VIDEO", "", 7])
def test_from_dict_reads_an_unknown_source_type_as_unknown(source_type):
    assert IdeaInspiration.from_dict({"title": "t", "source_type": source_type}).source_type == "unknown"


@pytest.mark.parametrize("field", ["subcategory_relevance", "contextual_category_scores"])
def test_relevance_maps_take_string_keys_and_integer_values(field):
    assert getattr(an_idea(**{field: {"ml": 80, "ethics": -3}}), field) == {"ml": 80, "ethics": -3}
    for bad in ({"ml": 1.5}, {"ml": True}, {"ml": "80"}, {"ml": None}, {1: 2}, {"ml": 2**40}, ["ml"], "ml"):
        with pytest.raises(InvalidInput, match=field):
            an_idea(**{field: bad})


@pytest.mark.parametrize("metadata", [{"x": {1, 2}}, {"x": float("nan")}, {1: "int key"}, ["not", "a", "dict"]])
def test_metadata_must_be_a_json_object_that_round_trips(metadata):
    with pytest.raises(InvalidInput, match="metadata"):
        an_idea(metadata=metadata)


@pytest.mark.parametrize("field", ["created_at", "updated_at", "source_created_at"])
def test_naive_datetimes_are_refused(field):
    with pytest.raises(InvalidInput, match=field):
        an_idea(**{field: NAIVE})


def test_aware_datetimes_are_kept_in_utc():
    local = datetime(2026, 1, 1, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=-5)))
    idea = an_idea(created_at=local, source_created_at=local)
    assert idea.created_at == local and idea.created_at.tzinfo == UTC
    assert idea.source_created_at.hour == 17 and idea.source_created_at.microsecond == 5


@pytest.mark.parametrize(
    "field", ["title", "description", "content", "source_id", "source_url", "source_created_by", "category"]
)
def test_text_with_a_nul_character_is_refused_on_every_text_field(field):
    with pytest.raises(InvalidInput, match="NUL"):
        an_idea(**{field: "bad\x00value"})


def test_over_long_indexed_text_is_refused():
    with pytest.raises(InvalidInput, match="category"):
        an_idea(category="c" * 256)
    with pytest.raises(InvalidInput, match="source_id"):
        an_idea(source_id="s" * 256)
    assert an_idea(category="c" * 255).category == "c" * 255


def test_to_dict_and_from_dict_round_trip_every_field():
    idea = an_idea(
        id=7,
        title="Ünïcode 🚀",
        keywords=["ai", "AI"],
        source_type="video",
        metadata={"nested": {"list": [1, None, True, 2.5]}, "big": 2**53 + 1},
        source_url="https://example.com/v?id=1",
        source_created_by="someone",
        source_created_at=T0 - timedelta(days=1),
        score=None,
        category="tech",
        subcategory_relevance={"ml": 90},
        contextual_category_scores={"news": 3},
    )
    data = idea.to_dict()
    again = IdeaInspiration.from_dict(data)
    assert again.to_dict() == data
    assert (again.id, again.score, again.created_at) == (7, None, idea.created_at)
    assert again.source_created_at == T0 - timedelta(days=1)


def test_to_dict_writes_timestamps_as_iso_text_and_from_dict_reads_a_trailing_z():
    idea = an_idea(created_at=T0, updated_at=T0)
    assert idea.to_dict()["created_at"] == "2026-03-04T05:06:07.123456+00:00"
    loaded = IdeaInspiration.from_dict(
        {"title": "t", "created_at": "2026-03-04T05:06:07.123456Z", "source_created_at": "2026-03-04T05:06:07"}
    )
    assert loaded.created_at == T0 and loaded.created_at.tzinfo == UTC
    assert loaded.source_created_at == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)  # naive text is taken as UTC


def test_from_dict_fills_missing_and_null_fields_with_defaults():
    idea = IdeaInspiration.from_dict({"title": "t", "keywords": None, "metadata": None, "description": None})
    assert (idea.keywords, idea.metadata, idea.description, idea.source_type) == ([], {}, None, "unknown")
    assert IdeaInspiration.from_dict({"title": "t"}).description == ""  # missing: the default


def test_from_dict_refuses_unknown_fields_bad_timestamps_and_non_mappings():
    with pytest.raises(InvalidInput, match="colour"):
        IdeaInspiration.from_dict({"title": "t", "colour": "red"})
    with pytest.raises(InvalidInput, match="created_at"):
        IdeaInspiration.from_dict({"title": "t", "created_at": "yesterday"})
    with pytest.raises(InvalidInput):
        IdeaInspiration.from_dict(["title", "t"])


@pytest.mark.parametrize("data", [{}, {"title": None}, {"description": "no title"}])
def test_from_dict_without_a_title_raises_invalid_input(data):
    with pytest.raises(InvalidInput, match="title"):
        IdeaInspiration.from_dict(data)


def test_changing_the_dict_from_to_dict_does_not_change_the_idea():
    idea = an_idea(metadata={"nested": {"k": 1}})
    idea.to_dict()["metadata"]["nested"]["k"] = 2
    assert idea.metadata == {"nested": {"k": 1}}


@pytest.mark.parametrize(
    ("build", "source_type"),
    [(IdeaInspiration.from_text, "text"), (IdeaInspiration.from_video, "video"), (IdeaInspiration.from_audio, "audio")],
)
def test_each_kind_of_source_puts_its_text_in_content(build, source_type):
    idea = build("A title", "about", "body, subtitles or transcription", score=70, keywords=["k"])
    assert (idea.title, idea.description, idea.content) == ("A title", "about", "body, subtitles or transcription")
    assert idea.source_type == source_type
    assert (idea.score, idea.keywords, idea.id) == (70, ["k"], None)
    with pytest.raises(InvalidInput):
        build("", "", "text")


# -- IdeaDraft: what a bulk load carries


def test_a_draft_has_every_field_and_default_of_an_idea_but_the_id():
    idea_fields = {a.name: a.default for a in attrs.fields(IdeaInspiration) if a.init and a.name != "id"}
    assert {a.name: a.default for a in attrs.fields(IdeaDraft)} == idea_fields


def test_a_draft_normalises_like_an_idea_and_cannot_be_changed():
    local = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    draft = IdeaDraft.from_dict({"title": "t", "source_type": "podcast", "created_at": local, "keywords": ("a",)})
    assert (draft.source_type, draft.keywords, draft.created_at.tzinfo) == ("unknown", ["a"], UTC)
    assert draft.created_at == local
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        draft.title = "other"


@pytest.mark.parametrize(
    "bad",
    [{"title": ""}, {"title": "t", "score": 101}, {"title": "t", "keywords": "ai"},
     {"title": "t", "category": "c" * 256},
     {"title": "t", "metadata": {"x": float("nan")}}, {"title": "t\x00"}, {"title": "t", "created_at": NAIVE},
     {"title": "t", "id": 3}, {"title": "t", "colour": "red"}],
)  # fmt: skip
def test_a_draft_refuses_what_an_idea_refuses_and_an_id(bad):
    with pytest.raises(InvalidInput):
        IdeaDraft.from_dict(bad)


_BAD_JSON_FIELDS = [
    *(("keywords", bad) for bad in ("ai", ["ai", 1], ["ai", None], [b"ai"], {"ai": 1}, ["a\x00"], ["x" * 256])),
    ("keywords", ["fine", "lone \ud800 surrogate"]),
    *(("subcategory_relevance", bad) for bad in ({"ml": 1.5}, {"ml": True}, {"ml": "80"}, {1: 2}, {"ml": 2**40})),
    ("contextual_category_scores", {"ml": -(2**31)}),
    *(("metadata", bad) for bad in ({"x": {1, 2}}, {"x": [1, float("inf")]}, {1: "int key"}, {"x": {True: 1}})),
]


@pytest.mark.parametrize(("field", "bad"), _BAD_JSON_FIELDS)
def test_a_draft_refuses_every_json_value_an_idea_refuses(field, bad):
    with pytest.raises(InvalidInput, match=field):
        an_idea(**{field: bad})
    with pytest.raises(InvalidInput, match=field):
        IdeaDraft.from_dict({"title": "t", field: bad})


def test_non_ascii_keywords_and_the_int32_bounds_are_accepted_by_both():
    fields = {"keywords": ["café", "東京", "x" * 255], "subcategory_relevance": {"a": 2**31 - 1, "b": -(2**31 - 1)}}
    for built in (an_idea(**fields), IdeaDraft.from_dict({"title": "t", **fields})):
        assert (built.keywords, built.subcategory_relevance) == (fields["keywords"], fields["subcategory_relevance"])


def test_an_idea_copies_its_json_values_and_a_draft_holds_them_as_given():
    metadata, keywords = {"tags": ["a"]}, ["k"]
    idea = an_idea(metadata=metadata, keywords=keywords)
    draft = IdeaDraft.from_dict({"title": "t", "metadata": metadata, "keywords": keywords})
    assert idea.metadata is not metadata and idea.metadata["tags"] is not metadata["tags"]
    assert idea.keywords is not keywords
    assert draft.metadata is metadata and draft.keywords is keywords


def test_missing_timestamps_take_the_given_time_and_given_ones_are_kept():
    given = datetime(2020, 5, 1, tzinfo=UTC)
    idea = IdeaInspiration.from_dict({"title": "t", "created_at": given.isoformat(), "updated_at": None}, T0)
    draft = IdeaDraft.from_dict({"title": "t"}, T0)
    assert (idea.created_at, idea.updated_at) == (given, T0)
    assert (draft.created_at, draft.updated_at) == (T0, T0)
