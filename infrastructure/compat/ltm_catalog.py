"""SQLAlchemyCatalog: the catalog of stored blobs of the LTM drop-in API, on memcore's use cases.

Methods answering with a `{"success": ...}` dict report failures in it, as the backend does.
Those answering with a plain value (an entry, a list, a flag, a snapshot id) raise memcore's
errors instead (`InvalidInput`, `StorageUnavailable`, ...), since a value cannot carry one; after
close() that is `StorageUnavailable`. Dates come back as ISO 8601 text in UTC.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from memcore.application.memory import commands
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.ltm_connection import LtmConnection, raising, reporting


def _dict(view: Any) -> dict[str, Any] | None:
    return None if view is None else view.to_dict()


class SQLAlchemyCatalog(LtmConnection):
    """Blob entries (hash, URI or inlined value, size, expiry) and named snapshots."""

    def __init__(
        self, url: str, pool_size: int = 5, echo: bool = False, auto_migrate: bool = True, lazy: bool = False
    ) -> None:
        """The replaced catalog's parameters in its order; `auto_migrate=False` opens the schema as it
        is (memcore's migrations not applied: a schema behind them makes calls fail, reported)."""
        self.auto_migrate = bool(auto_migrate)
        super().__init__(url, pool_size=pool_size, echo=echo, lazy=lazy)

    @reporting
    def track_entry(
        self,
        key: str,
        content_hash: str,
        storage_uri: str | None,
        byte_size: int,
        metadata: dict[str, Any] | None,
        inlined_value: Any = None,
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        command = commands.TrackCatalogEntry(key, content_hash, storage_uri, byte_size, metadata, inlined_value,
                                             expires_at)  # fmt: skip
        result = self.services().bus.handle(command)
        return {"success": True, "created": result.created, "entry_id": result.entry_id}

    @raising
    def get_entry(self, key: str) -> dict[str, Any] | None:
        return _dict(self.services().catalog.get(key))

    @raising
    def list_entries(
        self, prefix: str | None = None, metadata_filter: dict[str, Any] | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """In key order."""
        views = self.services().catalog.list(prefix=prefix, metadata_filter=metadata_filter, limit=limit)
        return [view.to_dict() for view in views]

    @raising
    def delete_entry(self, key: str) -> bool:
        return self.services().bus.handle(commands.DeleteCatalogEntry(key))

    @raising
    def create_snapshot(self, name: str) -> str:
        return self.services().bus.handle(commands.CreateSnapshot(name))

    @raising
    def get_snapshot(self, snapshot_id: str) -> dict[str, Any] | None:
        return _dict(self.services().catalog.get_snapshot(snapshot_id))

    @raising
    def get_changed_entries(self, since_snapshot_id: str | None = None) -> list[dict[str, Any]]:
        """Entries created or updated after the snapshot was taken (without one: all), in key order."""
        return [view.to_dict() for view in self.services().catalog.changed_since(since_snapshot_id)]

    @reporting
    def store_batch(self, entries: list[Mapping[str, Any]], atomic: bool = True) -> dict[str, Any]:
        """Each entry a dict of track_entry's arguments. Atomic: one bad entry stores nothing."""
        if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
            raise InvalidInput(f"entries must be a list of mappings, got {type(entries).__name__}")
        report = self.services().bus.handle(commands.StoreCatalogBatch(list(entries), atomic))
        return {"success": report.failed_count == 0, "stored_count": report.stored_count,
                "failed_count": report.failed_count,
                "errors": [{"index": f.index, "key": f.key, "error": f.message} for f in report.failures]}  # fmt: skip

    @reporting
    def retrieve_batch(self, keys: list[str]) -> dict[str, Any]:
        entries = {key: _dict(view) for key, view in self.services().catalog.get_many(keys).items()}
        hits = sum(entry is not None for entry in entries.values())
        return {"success": True, "entries": entries, "found_count": hits, "missing_count": len(entries) - hits}

    @reporting
    def cleanup_expired(self, batch_size: int = 100) -> dict[str, Any]:
        deleted = self.services().bus.handle(commands.CleanupExpired(batch_size))
        return {"success": True, "deleted_count": deleted}
