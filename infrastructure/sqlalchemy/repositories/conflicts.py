"""SqlAlchemyConflictRepository: conflicts inserted on the lean route, read and changed through the session."""

from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.errors import AlreadyExists
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.tables import conflicts


class SqlAlchemyConflictRepository(SqlAlchemyRepository):
    entity, table, fields, key = MemoryConflict, conflicts, CONFLICT_FIELDS, "id"
    stored = {**{name: name for name in CONFLICT_FIELDS}, "metadata": "metadata_json"}

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_many(self, items: list[MemoryConflict]) -> None:
        """One INSERT on the lean route (see SqlAlchemyRepository._insert)."""
        self._check(items)
        ids = [c.id for c in items]
        if len(set(ids)) != len(ids):
            raise AlreadyExists("the batch holds the same conflict id twice")
        if items:
            self._insert(items)

    def get(self, conflict_id: str, for_update: bool = False) -> MemoryConflict | None:
        lock = True if for_update else None  # SQLite renders no FOR UPDATE: its writers hold the lock
        return self._seen(self.session.get(MemoryConflict, conflict_id, with_for_update=lock))
