"""Imperative mappings of the domain's attrs classes onto the tables; idempotent."""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import configure_mappers, registry
from sqlalchemy.orm.attributes import flag_modified

from memcore.domain.checkpoints.model import Checkpoint
from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.conversations.model import KnowledgeChunk, User
from memcore.domain.ideas.model import ContentType, IdeaInspiration
from memcore.domain.memory.model import CatalogEntry, CatalogSnapshot, MemoryEntry
from memcore.infrastructure.sqlalchemy import tables

mapper_registry = registry(metadata=tables.metadata)
_started = False


# JSON held in text columns: SQLAlchemy sees a new value assigned, not one changed in place.
JSON_ATTRIBUTES: dict[type, tuple[str, ...]] = {
    MemoryConflict: ("metadata",),
    IdeaInspiration: ("keywords", "metadata", "subcategory_relevance", "contextual_category_scores"),
    Checkpoint: ("state", "metadata"),
    MemoryEntry: ("value", "metadata"),
    CatalogEntry: ("inlined_value", "metadata"),
    KnowledgeChunk: ("chunk_metadata",),
}
_SNAPSHOT = "_memcore_json"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def remember_json(target: Any) -> None:
    """Note the JSON values an aggregate has now, to find in-place changes at commit."""
    names = JSON_ATTRIBUTES.get(type(target), ())
    target.__dict__[_SNAPSHOT] = {name: _json(target.__dict__.get(name)) for name in names}


def flag_changed_json(targets: Iterable[Any]) -> None:
    """Mark JSON attributes changed in place (a list appended to, a dict key set) as modified."""
    for target in targets:
        unloaded = sa_inspect(target).unloaded  # expired (reloaded on access): nothing changed in place
        for name, before in target.__dict__.get(_SNAPSHOT, {}).items():
            if name not in unloaded and _json(getattr(target, name)) != before:
                flag_modified(target, name)


def _restore_unmapped(target: Any, context: Any) -> None:
    # SQLAlchemy does not call __init__ on load; give the aggregate its event list back.
    target.events = []
    remember_json(target)


def _restore_idea(target: Any, context: Any, attributes: Any = None) -> None:
    # The column holds the kind's text; the entity holds a ContentType (a foreign value reads as UNKNOWN).
    if "source_type" in target.__dict__:
        target.__dict__["source_type"] = ContentType.read(target.__dict__["source_type"])


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
    event.listen(IdeaInspiration, "load", _restore_idea)
    event.listen(IdeaInspiration, "refresh", _restore_idea)
    mapper_registry.map_imperatively(Checkpoint, tables.pipeline_checkpoints)
    event.listen(Checkpoint, "load", _restore_unmapped)
    for entity, table in (
        (MemoryEntry, tables.ltm_entries),
        (CatalogEntry, tables.ltm_catalog),
        (CatalogSnapshot, tables.ltm_catalog_snapshots),
        (User, tables.users),
        (KnowledgeChunk, tables.knowledge_chunks),
    ):
        mapper_registry.map_imperatively(entity, table)
        event.listen(entity, "load", _restore_unmapped)
    # Conversations and messages are not mapped: their repository writes them with Core at commit
    # (infrastructure/sqlalchemy/repositories/conversations.py).
    # Configured now rather than on the first instrumented __init__: entities built without one
    # (KnowledgeChunk.checked) are read through the mapped attributes before any other exists.
    configure_mappers()
    _started = True
