"""SqlAlchemyCatalogRepository and SqlAlchemyCatalogSnapshotRepository: the catalog through a session."""

from typing import Any

from sqlalchemy import func, insert, select

from memcore.domain.memory.model import (
    CATALOG_FIELDS_STORED,
    SNAPSHOT_FIELDS_STORED,
    CatalogEntry,
    CatalogSnapshot,
    catalog_id,
    check_snapshot_id,
)
from memcore.domain.memory.ports import CATALOG_FIELDS, SNAPSHOT_FIELDS, check_query
from memcore.domain.shared.specification import Specification
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.repositories.cursor import Transaction
from memcore.infrastructure.sqlalchemy.repositories.memory_sql import MemoryContextRepository, Upsert
from memcore.infrastructure.sqlalchemy.tables import ltm_catalog, ltm_catalog_snapshots

TRACKED = ("content_hash", "storage_uri", "byte_size", "inlined_value", "metadata", "expires_at", "updated_at")
_UPSERTS: dict[str, Upsert] = {}


def _upsert(dialect: Any) -> Upsert:
    if dialect.name not in _UPSERTS:
        _UPSERTS[dialect.name] = Upsert(ltm_catalog, CATALOG_FIELDS_STORED, "id", TRACKED, dialect)
    return _UPSERTS[dialect.name]


class SqlAlchemyCatalogRepository(MemoryContextRepository):
    entity, table, fields, key = CatalogEntry, ltm_catalog, CATALOG_FIELDS, "id"

    def __init__(self, transaction: Transaction) -> None:
        super().__init__(transaction)
        self._upsert = _upsert(transaction.dialect)

    def put(self, entry: CatalogEntry) -> bool:
        self._check([entry])
        loaded = self.loaded(entry.id)
        if loaded is not None:
            loaded.update_from(entry, entry.updated_at)
            self.seen.add(loaded)
            self.session.flush()
            return False
        return self._upsert(self.execute, [getattr(entry, name) for name in CATALOG_FIELDS_STORED])

    def get(self, key: str) -> CatalogEntry | None:
        return self._seen(self.session.get(CatalogEntry, catalog_id(key)))

    def total_bytes(self, spec: Specification | None = None) -> int:
        check_query(spec)
        statement = select(func.coalesce(func.sum(ltm_catalog.c.byte_size), 0)).where(self._where(spec))
        return int(self.session.execute(statement).scalar_one())  # MySQL sums to a decimal


class SqlAlchemyCatalogSnapshotRepository(SqlAlchemyRepository):
    entity, table, fields, key = CatalogSnapshot, ltm_catalog_snapshots, SNAPSHOT_FIELDS, "id"

    def add(self, snapshot: CatalogSnapshot) -> None:
        self._check([snapshot])
        self.session.execute(insert(ltm_catalog_snapshots), {n: getattr(snapshot, n) for n in SNAPSHOT_FIELDS_STORED})
        self._attach([snapshot])

    def get(self, snapshot_id: str) -> CatalogSnapshot | None:
        return self._seen(self.session.get(CatalogSnapshot, check_snapshot_id(snapshot_id)))
