"""SqlAlchemyCatalogViews: the catalog read model on Core statements built once per query shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from memcore.application.memory.views import CatalogEntryView, SnapshotView
from memcore.domain.memory.model import CATALOG_FIELDS_STORED, SNAPSHOT_FIELDS_STORED, catalog_id, check_snapshot_id
from memcore.domain.memory.ports import CATALOG_FIELDS, check_query
from memcore.domain.shared.specification import Query, Specification, as_query
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, RowCodec
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import ltm_catalog as table
from memcore.infrastructure.sqlalchemy.tables import ltm_catalog_snapshots as snapshots

_COLUMNS = {name: table.c[name] for name in CATALOG_FIELDS}
_SELECTED = [table.c[name] for name in CATALOG_FIELDS_STORED]


def _select_all() -> Any:
    return select(*_SELECTED)


class SqlAlchemyCatalogViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, CATALOG_FIELDS, key="id", dialect=engine.dialect.name)
        self.codec = RowCodec(table, CATALOG_FIELDS_STORED, engine.dialect)
        self.snapshot_codec = RowCodec(snapshots, SNAPSHOT_FIELDS_STORED, engine.dialect)
        self.reader = FastReader(engine)
        mark = self.codec.marker
        self._by_id = f"SELECT {self.codec.column_list} FROM {self.codec.table_name} WHERE id = {mark}"
        codec = self.snapshot_codec
        self._snapshot = f"SELECT {codec.column_list} FROM {codec.table_name} WHERE id = {mark}"

    def get(self, key: str) -> CatalogEntryView | None:
        row = self.reader.first(self._by_id, (catalog_id(key),))
        return None if row is None else CatalogEntryView(*self.codec.decode(row))

    def get_many(self, keys: list[str]) -> dict[str, CatalogEntryView]:
        if not keys:
            return {}
        statement = _select_all().where(table.c.id.in_([catalog_id(key) for key in keys]))
        with translating(), self.engine.connect() as connection:
            return {row.key: CatalogEntryView(*row) for row in connection.execute(statement)}

    def list(self, query: Specification | Query | None = None) -> list[CatalogEntryView]:
        check_query(query)
        statement, params = self.compiler.select("catalog views", _select_all, as_query(query))
        with translating(), self.engine.connect() as connection:
            return [CatalogEntryView(*row) for row in connection.execute(statement, params)]

    def get_snapshot(self, snapshot_id: str) -> SnapshotView | None:
        row = self.reader.first(self._snapshot, (check_snapshot_id(snapshot_id),))
        return None if row is None else SnapshotView(*self.snapshot_codec.decode(row))

    def close(self) -> None:
        self.reader.close()
