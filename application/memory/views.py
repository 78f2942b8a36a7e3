"""The read model of the memory context: frozen views, the ports serving them, the reference adapter."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.memory.model import (
    CATALOG_FIELDS_STORED,
    SNAPSHOT_FIELDS_STORED,
    CatalogEntry,
    CatalogSnapshot,
    MemoryEntry,
)
from memcore.domain.memory.text import indexed_text, words
from memcore.domain.shared.specification import Field, Order, Query, Specification, as_query


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@attrs.frozen
class MemoryEntryView:
    key: str
    value: Any
    metadata: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entry: MemoryEntry) -> MemoryEntryView:
        return cls(entry.key, copy.deepcopy(entry.value), copy.deepcopy(entry.metadata), entry.created_at,
                   entry.updated_at)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "metadata": self.metadata,
                "created_at": _iso(self.created_at), "updated_at": _iso(self.updated_at)}  # fmt: skip


@attrs.frozen
class SearchHit:
    """A found entry; `score` ranks it (higher is more relevant) and is None without a text query.

    Scores come from each engine's own ranking (bm25, ts_rank, InnoDB relevance, a word count on the
    fake): compare them within one result, not across adapters.
    """

    entry: MemoryEntryView
    score: float | None


@attrs.frozen
class CatalogEntryView:
    id: str
    key: str
    content_hash: str
    storage_uri: str | None
    byte_size: int
    inlined_value: Any
    metadata: dict[str, Any] | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entry: CatalogEntry) -> CatalogEntryView:
        return cls(**{name: copy.deepcopy(getattr(entry, name)) for name in CATALOG_FIELDS_STORED})

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        for name in ("expires_at", "created_at", "updated_at"):
            data[name] = _iso(data[name])
        return data


@attrs.frozen
class SnapshotView:
    id: str
    name: str
    created_at: datetime
    entry_count: int
    total_bytes: int

    @classmethod
    def of(cls, snapshot: CatalogSnapshot) -> SnapshotView:
        return cls(**{name: getattr(snapshot, name) for name in SNAPSHOT_FIELDS_STORED})

    def to_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "created_at": _iso(self.created_at)}


NEWEST_FIRST = (Field("updated_at").desc(),)


class MemoryViews(Protocol):
    def get(self, key: str) -> MemoryEntryView | None: ...

    def get_value(self, key: str) -> tuple[Any, dict[str, Any] | None] | None:
        """(value, metadata) of the entry, or None: what a retrieve returns, read alone."""
        ...

    def get_many(self, keys: list[str]) -> dict[str, MemoryEntryView]:
        """The entries found among `keys` (missing keys are left out)."""
        ...

    def search(self, words: list[str], where: Specification, limit: int) -> list[SearchHit]:
        """Entries holding every word (none: no text filter) and matching `where`; ranked by
        relevance (ties by key) with words, else newest first (updated_at, then key)."""
        ...

    def page(self, after: str | None, limit: int) -> list[MemoryEntryView]:
        """Up to `limit` entries with keys after `after` (None: from the first), in key order."""
        ...

    def count(self, spec: Specification | None = None) -> int: ...


class CatalogViews(Protocol):
    def get(self, key: str) -> CatalogEntryView | None: ...

    def get_many(self, keys: list[str]) -> dict[str, CatalogEntryView]: ...

    def list(self, query: Specification | Query | None = None) -> list[CatalogEntryView]: ...

    def get_snapshot(self, snapshot_id: str) -> SnapshotView | None: ...


def word_score(found: Iterable[str], wanted: list[str]) -> float | None:
    """The fake's relevance: the share of the entry's words that are wanted words (None: no match)."""
    counts = Counter(found)
    if not all(counts[word] for word in wanted):
        return None
    return sum(counts[word] for word in wanted) / max(1, sum(counts.values()))


class RepositoryMemoryViews:
    """Views served by any Unit of Work's repository: the reference semantics of search and paging."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, key: str) -> MemoryEntryView | None:
        with self.uow:
            entry = self.uow.memory.get(key)
            return None if entry is None else MemoryEntryView.of(entry)

    def get_value(self, key: str) -> tuple[Any, dict[str, Any] | None] | None:
        view = self.get(key)
        return None if view is None else (view.value, view.metadata)

    def get_many(self, keys: list[str]) -> dict[str, MemoryEntryView]:
        with self.uow:
            found = self.uow.memory.list(Field("key").is_in(keys))
            return {entry.key: MemoryEntryView.of(entry) for entry in found}

    def search(self, wanted: list[str], where: Specification, limit: int) -> list[SearchHit]:
        with self.uow:
            if not wanted:
                found = self.uow.memory.list(Query(where=where, order_by=NEWEST_FIRST, limit=limit))
                return [SearchHit(MemoryEntryView.of(entry), None) for entry in found]
            hits = []
            for entry in self.uow.memory.list(as_query(where)):
                score = word_score(words(indexed_text(entry.key, entry.value)), wanted)
                if score is not None:
                    hits.append(SearchHit(MemoryEntryView.of(entry), score))
        hits.sort(key=lambda hit: (-(hit.score or 0.0), hit.entry.key))
        return hits[:limit]

    def page(self, after: str | None, limit: int) -> list[MemoryEntryView]:
        where = Field("key") > after if after is not None else None
        with self.uow:
            found = self.uow.memory.list(Query(where=as_query(where).where, order_by=(Order("key"),), limit=limit))
            return [MemoryEntryView.of(entry) for entry in found]

    def count(self, spec: Specification | None = None) -> int:
        with self.uow:
            return self.uow.memory.count(spec)


class RepositoryCatalogViews:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, key: str) -> CatalogEntryView | None:
        with self.uow:
            entry = self.uow.catalog.get(key)
            return None if entry is None else CatalogEntryView.of(entry)

    def get_many(self, keys: list[str]) -> dict[str, CatalogEntryView]:
        with self.uow:
            return {entry.key: CatalogEntryView.of(entry) for entry in self.uow.catalog.list(Field("key").is_in(keys))}

    def list(self, query: Specification | Query | None = None) -> list[CatalogEntryView]:
        with self.uow:
            return [CatalogEntryView.of(entry) for entry in self.uow.catalog.list(as_query(query))]

    def get_snapshot(self, snapshot_id: str) -> SnapshotView | None:
        with self.uow:
            snapshot = self.uow.catalog_snapshots.get(snapshot_id)
            return None if snapshot is None else SnapshotView.of(snapshot)
