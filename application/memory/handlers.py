"""Write-side use cases of the memory context."""

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from memcore.application.memory import commands
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.memory.model import CatalogEntry, CatalogSnapshot, MemoryDraft
from memcore.domain.memory.values import check_key
from memcore.domain.shared.errors import InvalidInput, MemcoreError
from memcore.domain.shared.specification import Field, Query
from memcore.domain.shared.validation import shown

Clock = Callable[[], datetime]


def new_snapshot_id() -> str:
    return str(uuid.uuid4())


def memory_entry(cmd: commands.StoreMemory, now: datetime) -> MemoryDraft:
    """The entry a StoreMemory would write: every check runs here, before anything is written."""
    if not isinstance(cmd, commands.StoreMemory):
        raise InvalidInput(f"expected a StoreMemory, got {type(cmd).__name__}")
    return MemoryDraft(key=cmd.key, value=cmd.value, metadata=cmd.metadata, created_at=now, updated_at=now)


def run_operation(uow: UnitOfWork, operation: Any, now: datetime) -> bool:
    """One store or delete inside an open unit of work (the caller commits)."""
    if isinstance(operation, commands.StoreMemory):
        return uow.memory.put(memory_entry(operation, now))
    if isinstance(operation, commands.DeleteMemory):
        return uow.memory.remove(Field("key") == check_key(operation.key)) > 0
    raise InvalidInput(f"not a memory operation: {type(operation).__name__}")


class StoreMemoryHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.StoreMemory) -> bool:
        entry = memory_entry(cmd, self.clock())
        with self.uow:
            created = self.uow.memory.put(entry)
            self.uow.commit()
        return created


class StoreMemoriesHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.StoreMemories) -> list[bool]:
        now = self.clock()
        entries = []
        for index, item in enumerate(cmd.entries):
            try:
                entries.append(memory_entry(item, now))
            except InvalidInput as exc:
                raise InvalidInput(f"entry #{index} is invalid: {exc}") from None
        with self.uow:
            created = [self.uow.memory.put(entry) for entry in entries]
            self.uow.commit()
        return created


class DeleteMemoryHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteMemory) -> bool:
        key = check_key(cmd.key)
        with self.uow:
            removed = self.uow.memory.remove(Field("key") == key)
            self.uow.commit()
        return removed > 0


class ApplyMemoryOperationsHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.ApplyMemoryOperations) -> list[bool]:
        now = self.clock()
        for index, operation in enumerate(cmd.operations):  # every check before the first write
            try:
                if isinstance(operation, commands.DeleteMemory):
                    check_key(operation.key)
                else:
                    memory_entry(operation, now)
            except InvalidInput as exc:
                raise InvalidInput(f"operation #{index} is invalid: {exc}") from None
        with self.uow:
            results = [run_operation(self.uow, operation, now) for operation in cmd.operations]
            self.uow.commit()
        return results


# -- catalog ------------------------------------------------------------------------------------


@attrs.frozen
class TrackResult:
    created: bool
    entry_id: str


@attrs.frozen
class BatchFailure:
    index: int
    key: str | None
    message: str


@attrs.frozen
class BatchReport:
    stored_count: int
    failures: tuple[BatchFailure, ...]

    @property
    def failed_count(self) -> int:
        return len(self.failures)


TRACKED = ("key", "content_hash", "storage_uri", "byte_size", "metadata", "inlined_value", "expires_at")


def catalog_entry(data: commands.TrackCatalogEntry | Mapping[str, Any], now: datetime) -> CatalogEntry:
    """The entry to track, from a command or a dict with the same fields (storage_uri optional)."""
    if isinstance(data, commands.TrackCatalogEntry):
        fields = {name: getattr(data, name) for name in TRACKED}
    elif isinstance(data, Mapping):
        unknown = sorted(set(data) - set(TRACKED) - {"id", "created_at", "updated_at"})
        if unknown:
            raise InvalidInput(f"unknown catalog entry fields: {', '.join(map(str, unknown))}")
        missing = [name for name in ("key", "content_hash", "byte_size") if name not in data]
        if missing:
            raise InvalidInput(f"missing catalog entry fields: {', '.join(missing)}")
        fields = {name: data[name] for name in TRACKED if name in data}
    else:
        raise InvalidInput(f"a catalog entry is a mapping, got {type(data).__name__}")
    if "expires_at" in fields and isinstance(fields["expires_at"], str):
        fields["expires_at"] = _timestamp(fields["expires_at"])
    return CatalogEntry(**fields, created_at=now, updated_at=now)


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"expires_at is not an ISO 8601 timestamp: {shown(text)}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class TrackCatalogEntryHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.TrackCatalogEntry) -> TrackResult:
        entry = catalog_entry(cmd, self.clock())
        with self.uow:
            created = self.uow.catalog.put(entry)
            self.uow.commit()
        return TrackResult(created, entry.id)


class DeleteCatalogEntryHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteCatalogEntry) -> bool:
        key = check_key(cmd.key)
        with self.uow:
            removed = self.uow.catalog.remove(Field("key") == key)
            self.uow.commit()
        return removed > 0


class CreateSnapshotHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, id_factory: Callable[[], str] = new_snapshot_id) -> None:
        self.uow, self.clock, self.id_factory = uow, clock, id_factory

    def __call__(self, cmd: commands.CreateSnapshot) -> str:
        with self.uow:
            snapshot = CatalogSnapshot(
                id=self.id_factory(),
                name=cmd.name,
                created_at=self.clock(),
                entry_count=self.uow.catalog.count(),
                total_bytes=self.uow.catalog.total_bytes(),
            )
            self.uow.catalog_snapshots.add(snapshot)
            self.uow.commit()
        return snapshot.id


def _key_of(item: Any) -> str | None:
    key = item.get("key") if isinstance(item, Mapping) else getattr(item, "key", None)
    return key if isinstance(key, str) else None


class StoreCatalogBatchHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.StoreCatalogBatch) -> BatchReport:
        now = self.clock()
        good: list[tuple[int, CatalogEntry]] = []
        failures: list[BatchFailure] = []
        for index, item in enumerate(cmd.entries):
            try:
                good.append((index, catalog_entry(item, now)))
            except InvalidInput as exc:
                failures.append(BatchFailure(index, _key_of(item), str(exc)))
        if cmd.atomic:
            if failures:
                return BatchReport(0, tuple(failures))
            self._store([entry for _, entry in good])
            return BatchReport(len(good), ())
        try:
            self._store([entry for _, entry in good])
            return BatchReport(len(good), tuple(failures))
        except MemcoreError:
            pass  # one of them was refused by the database: store them one by one
        stored = 0
        for index, entry in good:
            try:
                self._store([entry])
                stored += 1
            except MemcoreError as exc:
                failures.append(BatchFailure(index, entry.key, str(exc)))
        return BatchReport(stored, tuple(sorted(failures, key=lambda failure: failure.index)))

    def _store(self, entries: list[CatalogEntry]) -> None:
        with self.uow:
            for entry in entries:
                self.uow.catalog.put(entry)
            self.uow.commit()


class CleanupExpiredHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.CleanupExpired) -> int:
        size = cmd.batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {shown(size)}")
        now = self.clock()
        expired = Field("expires_at") <= now
        oldest_first = Query(where=expired, order_by=(Field("expires_at").asc(),), limit=size)
        deleted = 0
        while True:
            with self.uow:
                ids = [entry.id for entry in self.uow.catalog.list(oldest_first)]
                if ids:
                    deleted += self.uow.catalog.remove(Field("id").is_in(ids) & expired)
                    self.uow.commit()
            if len(ids) < size:
                return deleted
