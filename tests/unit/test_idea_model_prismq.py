"""IdeaInspiration as the PrismQ idea model's users call it: its factories, ContentType, dict form."""

import inspect
import json
from datetime import UTC, datetime

import pytest

from memcore.compat.ideas import ContentType, IdeaInspiration
from memcore.domain.shared.errors import InvalidInput

TAIL = [
    "keywords", "metadata", "source_id", "source_url", "source_created_by", "source_created_at", "score",
    "category", "subcategory_relevance", "contextual_category_scores",
]  # fmt: skip
PRISMQ_KEYS = [
    "title", "description", "content", "keywords", "source_type", "metadata", "source_id", "source_url",
    "source_created_by", "source_created_at", "score", "category", "subcategory_relevance",
    "contextual_category_scores",
]  # fmt: skip
FACTORIES = [("from_text", "text_content"), ("from_video", "subtitle_text"), ("from_audio", "transcription")]


@pytest.mark.parametrize(("factory", "content"), FACTORIES)
def test_each_factory_has_the_replaced_signature_in_order_with_its_defaults(factory, content):
    parameters = inspect.signature(getattr(IdeaInspiration, factory)).parameters
    positional = [p for p in parameters.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional] == ["title", "description", content, *TAIL]
    assert [p.default for p in positional[1:3]] == ["", ""]
    assert all(p.default is None for p in positional[3:])
    assert [p.name for p in parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY] == [
        "created_at",
        "updated_at",
    ]


@pytest.mark.parametrize(
    ("factory", "content", "kind"),
    [(f, c, k) for (f, c), k in zip(FACTORIES, [ContentType.TEXT, ContentType.VIDEO, ContentType.AUDIO], strict=True)],
)
def test_every_parameter_of_a_factory_lands_in_its_field_positionally_or_by_name(factory, content, kind):
    values = ["T", "D", "body", ["k"], {"m": "1"}, "sid", "https://e.x", "me", "2025-01-15T10:30:00Z", 80, "cat",
              {"a": 1}, {"b": 2}]  # fmt: skip
    by_position = getattr(IdeaInspiration, factory)(*values)
    names = ["title", "description", content, *TAIL]
    by_name = getattr(IdeaInspiration, factory)(**dict(zip(names, values, strict=True)))
    for idea in (by_position, by_name):
        assert idea.source_type is kind
        assert (idea.title, idea.description, idea.content, idea.keywords, idea.metadata) == (
            "T",
            "D",
            "body",
            ["k"],
            {"m": "1"},
        )
        assert (idea.source_id, idea.source_url, idea.source_created_by, idea.score, idea.category) == (
            "sid",
            "https://e.x",
            "me",
            80,
            "cat",
        )
        assert idea.source_created_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
        assert (idea.subcategory_relevance, idea.contextual_category_scores) == ({"a": 1}, {"b": 2})


@pytest.mark.parametrize(("factory", "content"), FACTORIES)
def test_a_factory_with_only_a_title_gives_empty_text_and_collections(factory, content):
    idea = getattr(IdeaInspiration, factory)("Only a title")
    assert (idea.description, idea.content, idea.keywords, idea.metadata) == ("", "", [], {})
    assert (idea.subcategory_relevance, idea.contextual_category_scores, idea.score) == ({}, {}, None)


@pytest.mark.parametrize(("factory", "content"), FACTORIES)
def test_a_factory_given_none_for_text_stores_none_as_the_replaced_one_did(factory, content):
    idea = getattr(IdeaInspiration, factory)("T", description=None, **{content: None}, created_at=None)
    assert (idea.description, idea.content, idea.created_at.tzinfo) == (None, None, UTC)


def test_a_factory_refuses_a_parameter_it_does_not_have_as_python_does():
    with pytest.raises(TypeError, match="subtitle_text"):
        IdeaInspiration.from_text("t", subtitle_text="x")
    with pytest.raises(TypeError):
        IdeaInspiration.from_audio("t", "d", "x", ["k"], {}, None, None, None, None, None, None, {}, {}, "extra")


def test_content_type_has_the_four_kinds_with_their_string_values():
    assert [(m.name, m.value) for m in ContentType] == [
        ("TEXT", "text"), ("VIDEO", "video"), ("AUDIO", "audio"), ("UNKNOWN", "unknown")
    ]  # fmt: skip
    assert ContentType("video") is ContentType.VIDEO
    with pytest.raises(ValueError):
        ContentType("podcast")


def test_source_type_is_a_content_type_whether_given_as_a_member_or_its_value():
    assert IdeaInspiration(title="t").source_type is ContentType.UNKNOWN
    assert IdeaInspiration(title="t", source_type=ContentType.AUDIO).source_type is ContentType.AUDIO
    assert IdeaInspiration(title="t", source_type="video").source_type is ContentType.VIDEO
    idea = IdeaInspiration(title="t")
    idea.source_type = "text"
    assert idea.source_type is ContentType.TEXT


def test_to_dict_has_the_replaced_keys_first_with_their_value_types_then_memcores():
    idea = IdeaInspiration.from_video("V", subtitle_text="subs", source_created_at=datetime(2025, 1, 2, tzinfo=UTC))
    data = idea.to_dict()
    assert list(data) == [*PRISMQ_KEYS, "id", "created_at", "updated_at"]
    assert type(data["source_type"]) is str and data["source_type"] == "video"
    assert data["source_created_at"] == "2025-01-02T00:00:00+00:00"
    assert isinstance(data["created_at"], str)
    assert IdeaInspiration.from_dict(json.loads(json.dumps(data))).to_dict() == data


def test_from_dict_reads_a_dict_of_the_replaced_model_and_its_member_or_unknown_kinds():
    prismq = dict.fromkeys(PRISMQ_KEYS) | {"title": "T", "description": "", "content": "", "keywords": [],
                                           "source_type": "audio", "metadata": {}, "subcategory_relevance": {},
                                           "contextual_category_scores": {}}  # fmt: skip
    assert IdeaInspiration.from_dict(prismq).source_type is ContentType.AUDIO
    assert IdeaInspiration.from_dict({"title": "T", "source_type": ContentType.TEXT}).source_type is ContentType.TEXT
    assert IdeaInspiration.from_dict({"title": "T", "source_type": "invalid_type"}).source_type is ContentType.UNKNOWN


def test_from_dict_reads_the_field_names_of_the_replaced_models_v0_2_0():
    idea = IdeaInspiration.from_dict({"title": "T", "score_detail": {"US": 250}, "category_flags": {"tech": 80}})
    assert (idea.subcategory_relevance, idea.contextual_category_scores) == ({"US": 250}, {"tech": 80})
    with pytest.raises(InvalidInput, match="score_detail"):
        IdeaInspiration.from_dict({"title": "T", "score_detail": {}, "subcategory_relevance": {}})


def test_the_repr_is_the_replaced_models_short_form():
    text = repr(IdeaInspiration(title="A" * 100, keywords=["a", "b"]))
    assert text == f"IdeaInspiration(title='{'A' * 50}...', source_type=unknown, keywords=2 items)"


def test_memcores_validation_stays_an_addition_to_the_factories():
    with pytest.raises(InvalidInput, match="title"):
        IdeaInspiration.from_text("   ")
    with pytest.raises(InvalidInput, match="score"):
        IdeaInspiration.from_video("t", score=101)
    with pytest.raises(InvalidInput, match="source_created_at"):
        IdeaInspiration.from_audio("t", source_created_at="last week")
