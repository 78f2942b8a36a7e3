"""Which tables each context owns, and their wire form: JSON columns as the text they store, so a
copy moves the stored bytes unchanged and every other value goes through the column's own type."""

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.types import TypeDecorator, TypeEngine

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.search import SearchIndex
from memcore.infrastructure.sqlalchemy.tables import SEARCH_INDEXES, metadata
from memcore.infrastructure.sqlalchemy.types import JsonText

CONTEXTS: dict[str, tuple[str, ...]] = {
    "conflicts": ("conflicts",),
    "ideas": ("idea_inspiration",),
    "checkpoints": ("pipeline_checkpoints",),
    "memory": ("ltm_entries", "ltm_catalog", "ltm_catalog_snapshots"),
    "conversations": ("users", "conversations", "messages", "knowledge_chunks"),
    "metrics": ("metric_series", "metric_series_tags", "metric_points"),
    "langgraph": ("langgraph_checkpoints", "langgraph_writes", "langgraph_store", "langgraph_store_vectors"),
    "reliability": ("reliability_steps", "reliability_workflows", "reliability_slo_measurements"),
}
_wire_metadata = MetaData()


def table_names(contexts: Sequence[str] | None = None) -> list[str]:
    """memcore's tables of `contexts` (every table when None), parents before children."""
    if contexts:
        unknown = sorted(set(contexts) - set(CONTEXTS))
        if unknown:
            raise InvalidInput(f"unknown context {', '.join(unknown)}; known: {', '.join(sorted(CONTEXTS))}")
        chosen = {name for context in contexts for name in CONTEXTS[context]}
    else:
        chosen = set(metadata.tables)
    return [str(table.name) for table in metadata.sorted_tables if table.name in chosen]


def _wire_type(column: Column) -> TypeEngine:
    kind = column.type
    return kind.impl_instance if isinstance(kind, JsonText) and isinstance(kind, TypeDecorator) else kind


@cache
def wire_table(name: str) -> Table:
    """`name` with its JSON columns typed as the text they hold (outside Alembic's metadata)."""
    source = metadata.tables[name]
    columns = [Column(c.name, _wire_type(c), primary_key=c.primary_key) for c in source.c]
    return Table(name, _wire_metadata, *columns)


def key_positions(name: str) -> list[int]:
    names = [c.name for c in metadata.tables[name].c]
    return [names.index(c.name) for c in metadata.tables[name].primary_key.columns]


def search_index(name: str) -> SearchIndex | None:
    return next((index for index in SEARCH_INDEXES if index.table == name), None)


def autoincrement_column(name: str) -> str | None:
    """The integer key the database numbers itself (its sequence must be moved past copied ids)."""
    table = metadata.tables[name]
    column = table.autoincrement_column
    return None if column is None else column.name
