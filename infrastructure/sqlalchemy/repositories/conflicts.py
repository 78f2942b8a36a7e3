"""SqlAlchemyConflictRepository: conflicts inserted on the lean route, read and changed through the session."""

from typing import Any

import attrs

from memcore.domain.conflicts.events import ConflictRecorded
from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.errors import AlreadyExists
from memcore.domain.shared.events import DomainEvent
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository, _statements
from memcore.infrastructure.sqlalchemy.tables import conflicts


class SqlAlchemyConflictRepository(SqlAlchemyRepository):
    entity, table, fields, key = MemoryConflict, conflicts, CONFLICT_FIELDS, "id"
    stored = {**{name: name for name in CONFLICT_FIELDS}, "metadata": "metadata_json"}

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_new(self, fields: dict[str, Any]) -> None:
        """One INSERT of the checked fields, encoded once by the column types (the same row `add`
        writes); no aggregate is built, so nothing is kept to flush. Its event is published as an
        aggregate's would be (collect_new_events reads `seen`)."""
        statements = _statements(type(self), self.transaction.dialect)
        self.execute(statements.codec.insert_sql, statements.codec.encode([fields[name] for name in self.stored]))
        self.seen.add(_Raised([ConflictRecorded(fields["id"], fields["user_id"])]))

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


@attrs.define(eq=False)
class _Raised:
    """The events of a conflict stored without its aggregate."""

    events: list[DomainEvent]
