"""In-memory repositories of the memory context: entries by key, catalog entries by id, snapshots."""

from collections.abc import Callable
from typing import Any

from memcore.domain.memory.model import (
    CatalogEntry,
    CatalogSnapshot,
    MemoryDraft,
    MemoryEntry,
    catalog_id,
    check_snapshot_id,
)
from memcore.domain.memory.ports import CATALOG_FIELDS, MEMORY_FIELDS, SNAPSHOT_FIELDS, check_query
from memcore.domain.memory.values import check_key
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Query, Specification
from memcore.infrastructure.inmemory.base import InMemoryRepository


class _Filtered(InMemoryRepository):
    def _matching(self, query: Specification | Query | None) -> list[Any]:
        check_query(query)
        return super()._matching(query)

    def _upsert(self, key: str, entry: Any, update: Callable[[Any], None]) -> bool:
        """Store `entry` under `key`, or `update` the one stored there; True when it was created."""
        current = self.rows.get(key)
        if current is None:
            self.rows[key] = current = entry
        else:
            update(current)
        self.seen.add(current)
        return current is entry


class InMemoryMemoryRepository(_Filtered):
    fields, key = MEMORY_FIELDS, "key"

    def put(self, entry: MemoryEntry | MemoryDraft) -> bool:
        if isinstance(entry, MemoryDraft):
            entry = entry.entry()
        if not isinstance(entry, MemoryEntry):
            raise InvalidInput(f"expected a MemoryEntry, got {type(entry).__name__}")

        def replace(current: MemoryEntry) -> None:
            current.replace(entry.value, entry.metadata, entry.updated_at)

        return self._upsert(entry.key, entry, replace)

    def get(self, key: str) -> MemoryEntry | None:
        return self._seen(self.rows.get(check_key(key)))


class InMemoryCatalogRepository(_Filtered):
    fields, key = CATALOG_FIELDS, "id"

    def put(self, entry: CatalogEntry) -> bool:
        if not isinstance(entry, CatalogEntry):
            raise InvalidInput(f"expected a CatalogEntry, got {type(entry).__name__}")
        return self._upsert(entry.id, entry, lambda current: current.update_from(entry, entry.updated_at))

    def get(self, key: str) -> CatalogEntry | None:
        return self._seen(self.rows.get(catalog_id(key)))

    def total_bytes(self, spec: Specification | None = None) -> int:
        return sum(entry.byte_size for entry in self._matching(spec))


class InMemoryCatalogSnapshotRepository(_Filtered):
    fields, key = SNAPSHOT_FIELDS, "id"

    def add(self, snapshot: CatalogSnapshot) -> None:
        if not isinstance(snapshot, CatalogSnapshot):
            raise InvalidInput(f"expected a CatalogSnapshot, got {type(snapshot).__name__}")
        if snapshot.id in self.rows:
            raise AlreadyExists(f"a snapshot with id {snapshot.id!r} already exists")
        self.rows[snapshot.id] = snapshot
        self.seen.add(snapshot)

    def get(self, snapshot_id: str) -> CatalogSnapshot | None:
        return self._seen(self.rows.get(check_snapshot_id(snapshot_id)))
