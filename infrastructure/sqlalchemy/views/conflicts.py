"""SqlAlchemyConflictViews: the conflicts read model on the lean route.

No session or identity map: point reads go through the FastReader (pre-rendered SQL, one
autocommit connection per thread), pages are Core statements built once per query shape and run
as planned reads, and rows turn straight into frozen views.
"""

from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, func, select

from memcore.application.conflicts.views import ConflictView
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.specification import Query, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, PlannedReads, RowCodec
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import conflicts as table

_COLUMNS = {name: table.c[name] for name in CONFLICT_FIELDS}
_VIEW_NAMES = (*CONFLICT_FIELDS, "metadata_json")


@cache
def _select_all() -> Select[Any]:
    return select(*(table.c[name] for name in _VIEW_NAMES))


def _view(row: Any) -> ConflictView:
    *fields, metadata = row
    return ConflictView(*fields, metadata=metadata or {})


class SqlAlchemyConflictViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, CONFLICT_FIELDS, key="id", dialect=engine.dialect.name)
        self.codec = RowCodec(table, _VIEW_NAMES, engine.dialect)
        self.reader = FastReader(engine)
        self.plans = PlannedReads(engine, self.reader)
        self._by_id = f"SELECT {self.codec.column_list} FROM {self.codec.table_name} WHERE id = {self.codec.marker}"

    def get(self, conflict_id: str) -> ConflictView | None:
        row = self.reader.first(self._by_id, (conflict_id,))
        return None if row is None else _view(self.codec.decode(row))

    def list(self, query: Specification | Query | None = None) -> list[ConflictView]:
        statement, params = self.compiler.select("conflict views", _select_all, as_query(query))
        return [_view(row) for row in self.plans.all(statement, params, self.codec.decode)]

    def count(self, spec: Specification | None = None) -> int:
        query = as_query(spec)
        validate(query, CONFLICT_FIELDS)
        statement = select(func.count()).select_from(table).where(self.compiler.where(query.where))
        with translating(), self.engine.connect() as connection:
            return connection.execute(statement).scalar_one()

    def close(self) -> None:
        self.reader.close()
