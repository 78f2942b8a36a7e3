"""Test data builders for the ideas context: valid defaults, overridden per test."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.domain.ideas.model import IdeaInspiration
from memcore.domain.shared.specification import Field

_counter = itertools.count()
T0 = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def idea_data(**overrides: Any) -> dict[str, Any]:
    """A valid idea as a plain dict (the shape commands carry), without timestamps: the clock sets them."""
    n = next(_counter)
    fields: dict[str, Any] = {
        "title": f"Idea {n}",
        "description": f"description {n}",
        "content": f"content {n}",
        "keywords": ["ai"],
        "source_type": "text",
        "metadata": {"n": n},
        "source_id": f"src-{n:06d}",
        "score": 50,
        "category": "technology",
    }
    fields.update(overrides)
    return fields


def an_idea(**overrides: Any) -> IdeaInspiration:
    """A valid IdeaInspiration; created/updated one second apart per call unless given."""
    n = next(_counter)
    stamp = T0 + timedelta(seconds=n)
    fields: dict[str, Any] = {"created_at": stamp, "updated_at": stamp, **idea_data()}
    fields.update(overrides)
    return IdeaInspiration(**fields)


def ideas(*field_sets: dict[str, Any]) -> list[IdeaInspiration]:
    """Several ideas, one per dict of overrides."""
    return [an_idea(**fields) for fields in field_sets]


H = timedelta(hours=1)
# A small catalog whose finds and analytics the tests work out by hand; stored in this order (ids 1..7).
# (title, description, keywords, score, category, source_type, created_at)
CATALOG = [
    ("AI in healthcare", "machine learning helps doctors", ["ai", "health"], 92, "technology", "text", T0 + H),
    ("Painting with light", "an AI-free art essay", ["art"], 40, "art", "video", T0 + 2 * H),
    ("Robots at work", "automation and AI", ["robotics", "AI"], 85, "technology", "video", T0 + 3 * H),
    ("Quiet mornings", None, [], None, None, "audio", T0 + 4 * H),
    ("Chips and ai", "semiconductors", ["hardware", "ai"], 81, "technology", "text", T0 + 5 * H),
    ("Gardening", "grow your own", ["aim"], 80, "lifestyle", "text", T0 + 3 * H),
    ("Open questions", "what next", ["ai "], None, "technology", "unknown", T0 + H),
]
_CATALOG_FIELDS = ("title", "description", "keywords", "score", "category", "source_type", "created_at")


def catalog_items() -> list[dict[str, Any]]:
    """CATALOG as command dicts (updated_at = created_at)."""
    return [idea_data(**dict(zip(_CATALOG_FIELDS, row, strict=True)), updated_at=row[-1]) for row in CATALOG]


def catalog_title(number: int) -> str:
    """The title of the CATALOG idea stored n-th (1-based), for adapters whose ids do not start at 1."""
    return CATALOG[number - 1][0]


# Specifications over CATALOG and the catalog numbers they match, in id order.
FIND_CASES = [
    (Field("keywords").contains("ai"), [1, 5]),  # not "AI", "aim" or "ai "
    (Field("keywords").contains("AI"), [3]),
    (Field("title").contains("AI"), [1]),
    (Field("title").contains("AI") | Field("description").contains("AI"), [1, 2, 3]),
    (Field("title").startswith("Ro"), [3]),
    ((Field("score") > 80) & (Field("category") == "technology"), [1, 3, 5]),
    (~(Field("score") > 80), [2, 6]),  # an unknown score is neither > 80 nor not
    (Field("category") != "technology", [2, 6]),
    (Field("score").is_null(), [4, 7]),
    (Field("source_type").is_in(["audio", "unknown"]), [4, 7]),
    (Field("created_at") >= T0 + 4 * H, [4, 5]),
]
