"""SQLAlchemyConflictStore and InMemoryConflictStore: the API of the conflict stores memcore
replaces, on memcore's use cases (the in-memory one on memcore's fake Unit of Work).

It accepts memcore's MemoryConflict / ConflictResolution or any objects with the same attribute
names (the original's pydantic models, enums included), opens the original's `conflicts` table as
it is, and returns False / None for unknown ids as the original did.
"""

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dependency_injector import providers
from sqlalchemy import Engine

from memcore.application.conflicts import commands
from memcore.application.conflicts.views import ConflictView
from memcore.domain.conflicts.model import ConflictResolution, MemoryConflict
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.container import Container
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.mappers import start_mappers

__all__ = [
    "ConflictResolution",
    "InMemoryConflictStore",
    "MemoryConflict",
    "SQLAlchemyConflictStore",
]

_OPTIONAL = {
    "is_singleton_category": False,
    "status": "pending",
    "clarification_hint": None,
    "resolution_type": None,
    "winning_memory_id": None,
    "resolution_attempts": 0,
    "created_at": None,
    "resolved_at": None,
    "metadata": None,
    "id": None,
}
_REQUIRED = ("user_id", "memory_a_id", "memory_b_id", "category", "similarity_score", "avg_importance")


def _plain(value: Any) -> Any:
    """Enums become their values; naive datetimes (utcnow-style) are taken as UTC."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _attribute(value: Any, name: str, what: str, *default: Any) -> Any:
    """`value.name` (or the default); InvalidInput naming what is missing when it has none."""
    try:
        return getattr(value, name, *default)
    except AttributeError:
        raise InvalidInput(f"{what} must have a {name!r} attribute; got {type(value).__name__}") from None


def _entity(view: ConflictView) -> MemoryConflict:
    return MemoryConflict(**view.to_dict())


class _ConflictStore:
    """The replaced stores' methods over a container's use cases."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._services = container.services()

    def add_conflict(self, conflict: Any) -> str:
        fields = {name: _plain(_attribute(conflict, name, "a conflict")) for name in _REQUIRED}
        for name, default in _OPTIONAL.items():
            fields[name] = _plain(_attribute(conflict, name, "a conflict", default))
        if not isinstance(fields["metadata"] or {}, Mapping):
            raise InvalidInput(f"metadata must be a mapping, got {type(fields['metadata']).__name__}")
        fields["metadata"] = dict(fields["metadata"] or {})
        return self._services.bus.handle(commands.RecordConflict(**fields))

    def get_conflict(self, conflict_id: str) -> MemoryConflict | None:
        view = self._services.get_conflict(conflict_id)
        return None if view is None else _entity(view)

    def get_pending_conflicts(self, user_id: str, limit: int | None = None) -> list[MemoryConflict]:
        """Most important first; no `limit` (None or 0, as the replaced stores read it) gives all."""
        limit = None if limit == 0 and not isinstance(limit, bool) else limit
        return [_entity(view) for view in self._services.pending_conflicts(user_id, limit=limit)]

    def resolve_conflict(self, conflict_id: str, resolution: Any) -> bool:
        command = commands.ResolveConflict(
            conflict_id=conflict_id,
            decision=_plain(_attribute(resolution, "decision", "a resolution")),
            resolution_type=_plain(_attribute(resolution, "resolution_type", "a resolution")),
            resolved_by=_attribute(resolution, "resolved_by", "a resolution"),
            notes=getattr(resolution, "notes", None),
            confirming_memory_text=getattr(resolution, "confirming_memory_text", None),
        )
        try:
            self._services.bus.handle(command)
        except NotFound:
            return False
        return True

    def get_conflict_count(self, user_id: str, status: Any = None) -> int:
        return self._services.count_conflicts(user_id, _plain(status))

    def escalate_conflict(self, conflict_id: str) -> bool:
        try:
            self._services.bus.handle(commands.EscalateConflict(conflict_id))
        except NotFound:
            return False
        return True

    def clear_user_conflicts(self, user_id: str, status: Any = None) -> int:
        return self._services.bus.handle(commands.ClearUserConflicts(user_id, _plain(status)))


class SQLAlchemyConflictStore(_ConflictStore):
    """Conflict storage on a SQLAlchemy engine (SQLite, PostgreSQL or MySQL/MariaDB)."""

    def __init__(self, engine: Engine) -> None:
        start_mappers()
        self.engine = engine
        container = Container()
        container.engine.override(providers.Object(engine))
        super().__init__(container)

    def create_tables(self) -> None:
        """Create what is missing (an existing `conflicts` table is kept as it is)."""
        migrate.upgrade(self.engine)


class InMemoryConflictStore(_ConflictStore):
    """Conflict storage in this process, on memcore's in-memory fake: same rules, nothing persisted."""

    def __init__(self) -> None:
        container = Container()
        container.uow.override(providers.Factory(InMemoryUnitOfWork, store=providers.Object(InMemoryStore())))
        super().__init__(container)
