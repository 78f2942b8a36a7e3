"""SqlAlchemyConflictRepository: conflicts through the ORM session of a Unit of Work."""

from typing import Any

from sqlalchemy import insert

from domain.conflicts.model import MemoryConflict
from domain.conflicts.ports import CONFLICT_FIELDS
from domain.shared.errors import AlreadyExists
from infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from infrastructure.sqlalchemy.tables import conflicts


class SqlAlchemyConflictRepository(SqlAlchemyRepository):
    entity, table, fields, key = MemoryConflict, conflicts, CONFLICT_FIELDS, "id"

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_many(self, items: list[MemoryConflict]) -> None:
        """One Core INSERT (the lean route: no unit-of-work flush), then the objects are attached."""
        self._check(items)
        ids = [c.id for c in items]
        if len(set(ids)) != len(ids):
            raise AlreadyExists("the batch holds the same conflict id twice")
        if items:
            self.session.execute(insert(conflicts), [_row(c) for c in items])
        self._attach(items)

    def get(self, conflict_id: str) -> MemoryConflict | None:
        return self._seen(self.session.get(MemoryConflict, conflict_id))


def _row(conflict: MemoryConflict) -> dict[str, Any]:
    row = {name: getattr(conflict, name) for name in CONFLICT_FIELDS}
    row["metadata_json"] = conflict.metadata
    return row
