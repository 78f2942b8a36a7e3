"""InMemoryConflictRepository: a dict of conflicts with the SQL adapter's semantics."""

from typing import Any

from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.inmemory.base import InMemoryRepository


class InMemoryConflictRepository(InMemoryRepository):
    fields, key = CONFLICT_FIELDS, "id"

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_new(self, fields: dict[str, Any]) -> None:
        self.add(MemoryConflict.record(**fields))

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

    def get(self, conflict_id: str, for_update: bool = False) -> MemoryConflict | None:
        return self._seen(self.rows.get(conflict_id))
