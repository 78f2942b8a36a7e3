"""What every in-memory repository shares: Specification reads and deletes over a dict of rows."""

from typing import Any, ClassVar

from memcore.domain.shared.specification import Query, Schema, Specification, apply, as_query


class InMemoryRepository:
    """Subclasses name their queryable fields and the attribute rows are keyed by."""

    fields: ClassVar[Schema]
    key: ClassVar[str]

    def __init__(self, rows: dict[Any, Any]) -> None:
        self.rows = rows
        self.seen: set[Any] = set()

    def _matching(self, query: Specification | Query | None) -> list[Any]:
        return apply(as_query(query), self.rows.values(), self.fields, key=self.key)

    def _seen(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self.seen.add(aggregate)
        return aggregate

    def list(self, query: Specification | Query | None = None) -> list[Any]:
        found = self._matching(query)
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        return len(self._matching(spec))

    def remove(self, spec: Specification) -> int:
        doomed = self._matching(spec)
        for aggregate in doomed:
            del self.rows[getattr(aggregate, self.key)]
        return len(doomed)
