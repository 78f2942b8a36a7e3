"""IdeaInspiration: a piece of content (text, video, audio) worth turning into an idea.

Its fields, factories, `ContentType` and plain-dict form are those of the PrismQ idea model that
memcore replaces; memcore adds `id`, `created_at`, `updated_at` and validation (docs/compat.md).
"""

import copy
import enum
import inspect
from datetime import UTC, datetime
from functools import partial
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import (
    ID_MAX_LENGTH,
    check_all,
    check_json_object,
    check_text,
    check_utc,
    draft_class,
    on_setattr,
    shown,
)


class ContentType(enum.StrEnum):
    """The kind of source an idea came from; members equal (and store as) their string values."""

    TEXT = "text"
    VIDEO = "video"
    AUDIO = "audio"
    UNKNOWN = "unknown"

    @classmethod
    def read(cls, value: Any) -> "ContentType":
        """A member from a member or its value; anything else (an older or foreign value) is UNKNOWN."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


SOURCE_TYPES = tuple(member.value for member in ContentType)
SHORT_TEXT = 255  # category and source fields are indexed columns
URL_MAX_LENGTH = 2048
INT32_MAX = 2**31 - 1
# The replaced model's fields in its order (its to_dict keys), then memcore's additions.
PRISMQ_FIELDS = (
    "title", "description", "content", "keywords", "source_type", "metadata", "source_id", "source_url",
    "source_created_by", "source_created_at", "score", "category", "subcategory_relevance",
    "contextual_category_scores",
)  # fmt: skip
FIELDS = ("id", *PRISMQ_FIELDS, "created_at", "updated_at")


def _opt_text(max_length: int | None = None) -> Any:
    def run(name: str, value: Any) -> str | None:
        return None if value is None else check_text(name, value, max_length=max_length)

    return run


def _title(name: str, value: Any) -> str:
    check_text(name, value, max_length=1000)
    if not value.strip():
        raise InvalidInput("title must not be empty")
    return value


def _keywords(copying: bool) -> Any:
    def run(name: str, value: Any) -> list[str]:
        kind = type(value)
        if kind is list or kind is tuple:
            for item in value:
                # Storable short text; the full check (and its message) only for the exceptions.
                if type(item) is not str or len(item) > SHORT_TEXT or "\x00" in item:
                    break
                if not item.isascii() and not _encodes(item):
                    break
            else:
                return value if kind is list and not copying else list(value)
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise InvalidInput(f"{name} must be a list of strings")
        for i, item in enumerate(value):
            check_text(f"{name}[{i}]", item, max_length=SHORT_TEXT)
        return list(value)

    return run


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _source_type(name: str, value: Any) -> ContentType:
    if type(value) is ContentType:
        return value
    if not isinstance(value, str) or value not in SOURCE_TYPES:
        raise InvalidInput(f"unknown source type {shown(value)}; expected one of {', '.join(SOURCE_TYPES)}")
    return ContentType(value)


def _score(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInput(f"{name} must be an integer from 0 to 100, got {shown(value)}")
    return value


def _int_map(copying: bool) -> Any:
    def run(name: str, value: Any) -> dict[str, int]:
        if type(value) is dict:
            for key, number in value.items():
                if type(key) is not str or type(number) is not int or not -INT32_MAX <= number <= INT32_MAX:
                    break
            else:
                return dict(value) if copying else value
        checked = check_json_object(name, value)  # the precise message for what is not a dict of str
        for key, number in checked.items():
            if type(number) is not int or abs(number) > INT32_MAX:
                raise InvalidInput(f"{name}[{shown(key)}] must be an integer, got {shown(number)}")
        return checked

    return run


def _id(name: str, value: Any) -> int | None:
    return None if value is None else check_idea_id(value, name)


def check_idea_id(value: Any, name: str = "idea id") -> int:
    """Ids that storage gives: positive integers (a string such as "1" is refused, not coerced)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidInput(f"{name} must be a positive integer, got {shown(value)}")
    return value


def _opt_utc(name: str, value: Any) -> datetime | None:
    """A UTC datetime; ISO 8601 text (what the replaced model kept) is parsed."""
    if isinstance(value, str):
        return parse_timestamp(name, value)
    return None if value is None else check_utc(name, value)


_RULES: dict[str, Any] = {
    "id": _id,
    "title": _title,
    "description": _opt_text(),
    "content": _opt_text(),
    "keywords": _keywords(copying=True),
    "source_type": _source_type,
    "metadata": check_json_object,
    "source_id": _opt_text(ID_MAX_LENGTH),
    "source_url": _opt_text(URL_MAX_LENGTH),
    "source_created_by": _opt_text(SHORT_TEXT),
    "source_created_at": _opt_utc,
    "score": _score,
    "category": _opt_text(SHORT_TEXT),
    "subcategory_relevance": _int_map(copying=True),
    "contextual_category_scores": _int_map(copying=True),
    "created_at": check_utc,
    "updated_at": check_utc,
}


_P = inspect.Parameter
# After title, description and the content (named per kind), the replaced factories' parameters, in order.
_FACTORY_TAIL = (
    "keywords", "metadata", "source_id", "source_url", "source_created_by", "source_created_at", "score",
    "category", "subcategory_relevance", "contextual_category_scores",
)  # fmt: skip
_COLLECTIONS = {"keywords": list, "metadata": dict, "subcategory_relevance": dict, "contextual_category_scores": dict}


def _factory(kind: "ContentType", content: str) -> Any:
    """A factory with the replaced model's signature (a None collection meaning empty), plus memcore's
    keyword-only `created_at` / `updated_at` (None: now)."""
    signature = inspect.Signature(
        [
            _P("cls", _P.POSITIONAL_OR_KEYWORD),
            _P("title", _P.POSITIONAL_OR_KEYWORD, annotation=str),
            *(_P(name, _P.POSITIONAL_OR_KEYWORD, default="", annotation=str) for name in ("description", content)),
            *(_P(name, _P.POSITIONAL_OR_KEYWORD, default=None) for name in _FACTORY_TAIL),
            *(_P(name, _P.KEYWORD_ONLY, default=None) for name in ("created_at", "updated_at")),
        ]
    )

    def build(cls: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(cls, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"from_{kind.value}(): {exc}") from None
        bound.apply_defaults()
        fields = dict(bound.arguments)
        del fields["cls"]
        for name, empty in _COLLECTIONS.items():
            if fields[name] is None:
                fields[name] = empty()
        for name in ("created_at", "updated_at"):
            if fields[name] is None:
                del fields[name]
        fields["content"] = fields.pop(content)
        return cls(source_type=kind, **fields)

    build.__name__ = build.__qualname__ = f"from_{kind.value}"
    build.__doc__ = f"An idea from {kind.value} content: `{content}` becomes `content`."
    build.__signature__ = signature  # type: ignore[attr-defined]
    return build


def _now() -> datetime:
    return datetime.now(UTC)


@attrs.define(slots=False, eq=False, repr=False, on_setattr=on_setattr(_RULES))
class IdeaInspiration:
    """One collected content item; `id` is assigned by storage."""

    title: str
    description: str | None = ""
    content: str | None = ""
    keywords: list[str] = attrs.field(factory=list)
    source_type: ContentType = ContentType.UNKNOWN
    metadata: dict[str, Any] = attrs.field(factory=dict)
    source_id: str | None = None
    source_url: str | None = None
    source_created_by: str | None = None
    source_created_at: datetime | None = None
    score: int | None = None
    category: str | None = None
    subcategory_relevance: dict[str, int] = attrs.field(factory=dict)
    contextual_category_scores: dict[str, int] = attrs.field(factory=dict)
    created_at: datetime = attrs.field(factory=_now)
    updated_at: datetime = attrs.field(factory=_now)
    id: int | None = None
    events: list[Any] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _RULES)

    # -- building from each kind of source: the replaced model's factories, parameter for parameter

    from_text = classmethod(_factory(ContentType.TEXT, "text_content"))
    from_video = classmethod(_factory(ContentType.VIDEO, "subtitle_text"))
    from_audio = classmethod(_factory(ContentType.AUDIO, "transcription"))

    def __repr__(self) -> str:
        # The replaced model's short form: the title cut at 50 characters, the kind, the keyword count.
        return (
            f"IdeaInspiration(title='{self.title[:50]}...', source_type={ContentType.read(self.source_type).value}, "
            f"keywords={len(self.keywords)} items)"
        )

    # -- plain dicts (JSON-ready), as the store it replaces exchanged them

    def to_dict(self) -> dict[str, Any]:
        """The replaced model's keys and value types (the kind as its string, timestamps as ISO text),
        then memcore's `id`, `created_at`, `updated_at`."""
        data = {name: getattr(self, name) for name in (*PRISMQ_FIELDS, "id", "created_at", "updated_at")}
        data["source_type"] = ContentType.read(data["source_type"]).value
        for name in _TIMESTAMPS:
            if data[name] is not None:
                data[name] = data[name].isoformat()
        for name in _COLLECTIONS:
            data[name] = copy.deepcopy(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], now: datetime | None = None) -> "IdeaInspiration":
        """The inverse of to_dict, also reading the replaced model's older dicts (`score_detail`,
        `category_flags`); an unknown source type reads as UNKNOWN, missing fields default (missing
        timestamps to `now` when given), and so do None values but for description and content."""
        return cls(**_normalised(data, now))


def _normalised(data: dict[str, Any], now: datetime | None) -> dict[str, Any]:
    """from_dict's reading of a plain dict: known fields only, ISO timestamps parsed, None as default."""
    if not isinstance(data, dict):
        raise InvalidInput(f"an idea must be a mapping, got {type(data).__name__}")
    if not _READABLE.issuperset(data):
        raise InvalidInput(f"unknown idea fields: {', '.join(sorted(data.keys() - _READABLE))}")
    # None reads as the default, but for the texts whose default is "": there None stays None, as in
    # the replaced from_dict (and as such rows were stored).
    fields = {k: v for k, v in data.items() if v is not None or k in ("description", "content")}
    for old, new in _RENAMED.items():
        if old in fields:
            if new in fields:
                raise InvalidInput(f"{old} is the older name of {new}: give one of them")
            fields[new] = fields.pop(old)
    if now is not None:
        fields.setdefault("created_at", now)
        fields.setdefault("updated_at", now)
    fields["source_type"] = ContentType.read(fields.get("source_type"))
    for name in _TIMESTAMPS:
        if isinstance(fields.get(name), str):
            fields[name] = parse_timestamp(name, fields[name])
    if "title" not in fields:
        raise InvalidInput("title is required")
    return fields


# Fields the replaced model had before its v0.2.1 renamed them.
_RENAMED = {"score_detail": "subcategory_relevance", "category_flags": "contextual_category_scores"}
_READABLE = frozenset(FIELDS) | _RENAMED.keys()
_TIMESTAMPS = ("source_created_at", "created_at", "updated_at")


class _Draft:
    __slots__ = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any], now: datetime | None = None) -> Any:
        fields = _normalised(data, now)
        if fields.pop("id", None) is not None:
            raise InvalidInput("a new idea has no id yet")
        return cls(**fields)


# A draft is consumed where it is built (a bulk load encodes it at once), so its JSON values are
# checked in place rather than copied: fewer objects to build, and fewer for the collector to walk.
_DRAFT_RULES = {name: rule for name, rule in _RULES.items() if name != "id"} | {
    "keywords": _keywords(copying=False),
    "metadata": partial(check_json_object, copying=False),
    "subcategory_relevance": _int_map(copying=False),
    "contextual_category_scores": _int_map(copying=False),
}

# A validated idea that storage has not given an id yet: the same fields, defaults and rules as
# IdeaInspiration (its draft rules), as a frozen value that bulk loads carry.
IdeaDraft = draft_class(
    "IdeaDraft", IdeaInspiration, _DRAFT_RULES, _Draft,
    "A validated idea not stored yet (no id): what bulk loads carry.", without=("id",),
)  # fmt: skip


def parse_timestamp(name: str, text: str) -> datetime:
    """ISO 8601 (a trailing Z allowed); a naive value is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} is not an ISO 8601 timestamp: {shown(text)}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
