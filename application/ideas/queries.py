"""Read-side use cases of the ideas context, including analytics computed by the storage."""

import attrs

from memcore.application.ideas.views import GroupTotals, IdeaView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Query, Specification
from memcore.domain.shared.validation import shown


@attrs.frozen
class GroupStats:
    key: str | None
    count: int
    average_score: float | None  # over the ideas that have a score


@attrs.frozen
class ScoreBucket:
    low: int
    high: int  # inclusive
    count: int


def _stats(totals: list[GroupTotals]) -> list[GroupStats]:
    rows = [GroupStats(t.key, t.count, t.score_sum / t.scored if t.scored else None) for t in totals]
    return sorted(rows, key=lambda row: (row.key is not None, row.key or ""))


class IdeaQueries:
    """Finding, counting and analysing ideas; every answer is a frozen view or value."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, idea_id: int) -> IdeaView | None:
        return self.uow.idea_views.get(idea_id)

    def get_by_source_id(self, source_id: str) -> IdeaView | None:
        return self.uow.idea_views.get_by_source_id(source_id)

    def find(self, query: Specification | Query | None = None) -> list[IdeaView]:
        return self.uow.idea_views.list(query)

    def count(self, spec: Specification | None = None) -> int:
        return self.uow.idea_views.count(spec)

    def stats_by_category(self, spec: Specification | None = None) -> list[GroupStats]:
        """Count and average score per category (None: uncategorised), in category order."""
        return _stats(self.uow.idea_views.totals_by("category", spec))

    def stats_by_source_type(self, spec: Specification | None = None) -> list[GroupStats]:
        return _stats(self.uow.idea_views.totals_by("source_type", spec))

    def top_categories(self, n: int = 10, spec: Specification | None = None) -> list[GroupStats]:
        """The n largest categories (most ideas first, then by name); uncategorised left out."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(f"n must be a non-negative integer, got {shown(n)}")
        named = [row for row in self.stats_by_category(spec) if row.key is not None]
        return sorted(named, key=lambda row: (-row.count, row.key))[:n]

    def score_histogram(self, spec: Specification | None = None, width: int = 10) -> list[ScoreBucket]:
        """Scored ideas per bucket: 0-9, 10-19, ... with 100 in the last bucket."""
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= 100:
            raise InvalidInput(f"width must be an integer from 1 to 100, got {shown(width)}")
        lows = list(range(0, 100, width))
        counts = dict.fromkeys(lows, 0)
        for score, count in self.uow.idea_views.score_counts(spec).items():
            counts[lows[min(score // width, len(lows) - 1)]] += count
        return [ScoreBucket(low, min(low + width - 1, 100) if low != lows[-1] else 100, counts[low]) for low in lows]
