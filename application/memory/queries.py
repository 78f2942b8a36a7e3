"""Read-side use cases of the memory context."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from memcore.application.memory.views import CatalogEntryView, MemoryEntryView, SearchHit, SnapshotView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.memory.model import check_snapshot_id
from memcore.domain.memory.ports import Scalar, key_prefix, metadata_matches
from memcore.domain.memory.text import query_words
from memcore.domain.memory.values import check_key
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.domain.shared.specification import Field, Query, Specification
from memcore.domain.shared.validation import shown

MAX_LIMIT = 10_000
KEY_ORDER = (Field("key").asc(),)


def check_limit(limit: object, name: str = "limit") -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"{name} must be an integer from 0 to {MAX_LIMIT}, got {shown(limit)}")
    return limit


def _keys(keys: object) -> list[str]:
    if isinstance(keys, str) or not isinstance(keys, (list, tuple, set, frozenset)):
        raise InvalidInput("keys must be a list of strings")
    return [check_key(key) for key in keys]


class MemoryQueries:
    """Finding entries: by key, by words and metadata, or all of them in key order."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, key: str) -> MemoryEntryView | None:
        return self.uow.memory_views.get(check_key(key))

    def get_value(self, key: str) -> tuple[Any, dict[str, Any] | None] | None:
        """(value, metadata) of the entry under `key`, or None: a retrieve, reading nothing else."""
        return self.uow.memory_views.get_value(check_key(key))

    def get_many(self, keys: list[str]) -> dict[str, MemoryEntryView | None]:
        """Every asked key, mapped to its entry or None."""
        wanted = _keys(keys)
        found = self.uow.memory_views.get_many(list(dict.fromkeys(wanted))) if wanted else {}
        return {key: found.get(key) for key in wanted}

    def search(
        self, query: str | None = None, metadata_filter: Mapping[str, Scalar] | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Entries holding every word of `query` (any text is safe; none: no text filter) and the
        metadata pairs; ranked by relevance, else newest first."""
        if query is not None and not isinstance(query, str):
            raise InvalidInput(f"a search query is text, got {type(query).__name__}")
        return self.uow.memory_views.search(query_words(query), metadata_matches(metadata_filter), check_limit(limit))

    def iterate(self, batch_size: int = 500) -> Iterator[MemoryEntryView]:
        """Every entry in key order, read `batch_size` at a time (keyset pages on the key)."""
        check_limit(batch_size, "batch_size")
        if batch_size < 1:
            raise InvalidInput("batch_size must be at least 1")
        after: str | None = None
        while True:
            page = self.uow.memory_views.page(after, batch_size)
            yield from page
            if len(page) < batch_size:
                return
            after = page[-1].key

    def count(self, spec: Specification | None = None) -> int:
        return self.uow.memory_views.count(spec)


class CatalogQueries:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, key: str) -> CatalogEntryView | None:
        return self.uow.catalog_views.get(check_key(key))

    def get_many(self, keys: list[str]) -> dict[str, CatalogEntryView | None]:
        """Every asked key, mapped to its entry or None (retrieve_batch)."""
        wanted = _keys(keys)
        found = self.uow.catalog_views.get_many(list(dict.fromkeys(wanted))) if wanted else {}
        return {key: found.get(key) for key in wanted}

    def list(
        self, prefix: str | None = None, metadata_filter: Mapping[str, Scalar] | None = None, limit: int = 100
    ) -> list[CatalogEntryView]:
        """Entries in key order, optionally under a key prefix and matching metadata pairs."""
        where = key_prefix(prefix) & metadata_matches(metadata_filter)
        return self.uow.catalog_views.list(Query(where=where, order_by=KEY_ORDER, limit=check_limit(limit)))

    def find(self, query: Specification | Query | None = None) -> list[CatalogEntryView]:
        return self.uow.catalog_views.list(query)

    def get_snapshot(self, snapshot_id: str) -> SnapshotView | None:
        return self.uow.catalog_views.get_snapshot(check_snapshot_id(snapshot_id))

    def changed_since(self, snapshot_id: str | None = None) -> list[CatalogEntryView]:
        """Entries created or updated after the snapshot was taken (None: every entry), in key order."""
        if snapshot_id is None:
            return self.uow.catalog_views.list(Query(order_by=KEY_ORDER))
        snapshot = self.get_snapshot(snapshot_id)
        if snapshot is None:
            raise NotFound(f"no catalog snapshot {shown(snapshot_id)}")
        return self.uow.catalog_views.list(Query(where=Field("updated_at") > snapshot.created_at, order_by=KEY_ORDER))
