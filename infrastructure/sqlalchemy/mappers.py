"""Imperative mappings of the domain's attrs classes onto the tables; idempotent."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import registry

from domain.conflicts.model import MemoryConflict
from domain.ideas.model import IdeaInspiration
from infrastructure.sqlalchemy import tables

mapper_registry = registry(metadata=tables.metadata)
_started = False


def _restore_unmapped(target: Any, context: Any) -> None:
    # SQLAlchemy does not call __init__ on load; give the aggregate its event list back.
    target.events = []


def start_mappers() -> None:
    """Map every aggregate once; later calls do nothing."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(
        MemoryConflict,
        tables.conflicts,
        properties={"metadata": tables.conflicts.c.metadata_json},
    )
    event.listen(MemoryConflict, "load", _restore_unmapped)
    mapper_registry.map_imperatively(IdeaInspiration, tables.idea_inspiration)
    event.listen(IdeaInspiration, "load", _restore_unmapped)
    _started = True
