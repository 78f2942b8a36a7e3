"""Commands of the memory context; values travel as plain JSON values and dicts."""

from datetime import datetime
from typing import Any

import attrs


@attrs.frozen
class StoreMemory:
    """Create or replace; the handler returns True when the key was new."""

    key: str
    value: Any
    metadata: dict[str, Any] | None = None


@attrs.frozen
class StoreMemories:
    """Many StoreMemory in one transaction, all or nothing; returns the created flags in order."""

    entries: tuple[StoreMemory, ...] = attrs.field(converter=tuple)


@attrs.frozen
class DeleteMemory:
    """Returns True when the key was there."""

    key: str


@attrs.frozen
class ApplyMemoryOperations:
    """StoreMemory and DeleteMemory operations in one transaction, all or nothing.

    Returns each operation's result in order (created flag, deleted flag).
    """

    operations: tuple[StoreMemory | DeleteMemory, ...] = attrs.field(converter=tuple)


@attrs.frozen
class TrackCatalogEntry:
    """Create or update the catalog entry of `key`; returns TrackResult."""

    key: str
    content_hash: str
    storage_uri: str | None
    byte_size: int
    metadata: dict[str, Any] | None = None
    inlined_value: Any = None
    expires_at: datetime | None = None


@attrs.frozen
class DeleteCatalogEntry:
    """Returns True when the key was tracked."""

    key: str


@attrs.frozen
class CreateSnapshot:
    """Record the catalog's entry count and total bytes now; returns the snapshot's UUID."""

    name: str


@attrs.frozen
class StoreCatalogBatch:
    """Track many entries (dicts with TrackCatalogEntry's fields); returns a BatchReport.

    atomic: one invalid entry stores nothing. Otherwise the valid ones are stored and the others
    reported.
    """

    entries: tuple[Any, ...] = attrs.field(converter=tuple)
    atomic: bool = True


@attrs.frozen
class CleanupExpired:
    """Delete entries whose expires_at has passed, `batch_size` per transaction; returns how many."""

    batch_size: int = 100
