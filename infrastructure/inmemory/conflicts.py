"""InMemoryConflictRepository: a dict of conflicts with the SQL adapter's semantics."""

from domain.conflicts.model import MemoryConflict
from domain.conflicts.ports import CONFLICT_FIELDS
from domain.shared.errors import AlreadyExists, InvalidInput
from domain.shared.specification import Query, Specification, apply, as_query


class InMemoryConflictRepository:
    def __init__(self, rows: dict[str, MemoryConflict]) -> None:
        self.rows = rows
        self.seen: set[MemoryConflict] = set()

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_many(self, conflicts: list[MemoryConflict]) -> None:
        ids = [c.id for c in conflicts]
        if len(set(ids)) != len(ids):
            raise AlreadyExists("the batch holds the same conflict id twice")
        for conflict in conflicts:
            if not isinstance(conflict, MemoryConflict):
                raise InvalidInput(f"expected a MemoryConflict, got {type(conflict).__name__}")
            if conflict.id in self.rows and self.rows[conflict.id] is not conflict:
                raise AlreadyExists(f"a conflict with id {conflict.id!r} already exists")
        for conflict in conflicts:
            self.rows[conflict.id] = conflict
            self.seen.add(conflict)

    def get(self, conflict_id: str) -> MemoryConflict | None:
        conflict = self.rows.get(conflict_id)
        if conflict is not None:
            self.seen.add(conflict)
        return conflict

    def list(self, query: Specification | Query | None = None) -> list[MemoryConflict]:
        found = apply(as_query(query), self.rows.values(), CONFLICT_FIELDS, key="id")
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        return len(apply(as_query(spec), self.rows.values(), CONFLICT_FIELDS, key="id"))

    def remove(self, spec: Specification) -> int:
        doomed = apply(as_query(spec), self.rows.values(), CONFLICT_FIELDS, key="id")
        for conflict in doomed:
            del self.rows[conflict.id]
        return len(doomed)
