"""The read model of the ideas context: views, aggregates of groups, and the port serving them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.ideas.model import FIELDS, IdeaInspiration, check_idea_id
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Query, Specification, as_query
from memcore.domain.shared.validation import shown


@attrs.frozen
class IdeaView:
    id: int
    title: str
    description: str | None
    content: str | None
    keywords: list[str]
    source_type: str
    metadata: dict[str, Any]
    source_id: str | None
    source_url: str | None
    source_created_by: str | None
    source_created_at: datetime | None
    score: int | None
    category: str | None
    subcategory_relevance: dict[str, int]
    contextual_category_scores: dict[str, int]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, idea: IdeaInspiration) -> IdeaView:
        return cls(**{name: getattr(idea, name) for name in FIELDS})

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for name in ("source_created_at", "created_at", "updated_at"):
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return data


@attrs.frozen
class GroupTotals:
    """What the database sums up per group: rows, rows with a score, and the sum of scores."""

    key: str | None
    count: int
    scored: int
    score_sum: int


GROUPABLE = ("category", "source_type")


def check_groupable(field: str) -> None:
    if field not in GROUPABLE:
        raise InvalidInput(f"cannot group ideas by {shown(field)}; choose one of {', '.join(GROUPABLE)}")


class IdeaViews(Protocol):
    def get(self, idea_id: int) -> IdeaView | None: ...

    def get_by_source_id(self, source_id: str) -> IdeaView | None: ...

    def list(self, query: Specification | Query | None = None) -> list[IdeaView]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def totals_by(self, field: str, spec: Specification | None = None) -> list[GroupTotals]:
        """Per distinct value of `field` (category or source_type), NULL included."""
        ...

    def score_counts(self, spec: Specification | None = None) -> dict[int, int]:
        """How many ideas have each score (ideas without a score are left out)."""
        ...


class RepositoryIdeaViews:
    """Views and aggregates computed from any Unit of Work's repository: the reference semantics."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def _ideas(self, spec: Specification | Query | None) -> list[IdeaInspiration]:
        with self.uow:
            return self.uow.ideas.list(as_query(spec))

    def get(self, idea_id: int) -> IdeaView | None:
        check_idea_id(idea_id)
        with self.uow:
            idea = self.uow.ideas.get(idea_id)
            return None if idea is None else IdeaView.of(idea)

    def get_by_source_id(self, source_id: str) -> IdeaView | None:
        with self.uow:
            idea = self.uow.ideas.get_by_source_id(source_id)
            return None if idea is None else IdeaView.of(idea)

    def list(self, query: Specification | Query | None = None) -> list[IdeaView]:
        return [IdeaView.of(idea) for idea in self._ideas(query)]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.ideas.count(spec)

    def totals_by(self, field: str, spec: Specification | None = None) -> list[GroupTotals]:
        check_groupable(field)
        groups: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
        for idea in self._ideas(spec):
            totals = groups[getattr(idea, field)]
            totals[0] += 1
            if idea.score is not None:
                totals[1] += 1
                totals[2] += idea.score
        return [GroupTotals(key, *totals) for key, totals in groups.items()]

    def score_counts(self, spec: Specification | None = None) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for idea in self._ideas(spec):
            if idea.score is not None:
                counts[idea.score] += 1
        return dict(counts)
