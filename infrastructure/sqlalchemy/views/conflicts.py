"""SqlAlchemyConflictViews: the conflicts read model on Core statements, the lean route.

No session or identity map: each read checks out a connection, runs a statement built once, and
turns rows straight into frozen views.
"""

from functools import cache
from typing import Any

from sqlalchemy import Engine, Row, Select, bindparam, func, select

from application.conflicts.views import ConflictView
from domain.conflicts.ports import CONFLICT_FIELDS
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.errors import translating
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import conflicts as table

_COLUMNS = {name: table.c[name] for name in CONFLICT_FIELDS}
_VIEW_COLUMNS = [*(table.c[name] for name in CONFLICT_FIELDS), table.c.metadata_json]


@cache
def _statements() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """Built once: all columns, one by id, and a count."""
    every = select(*_VIEW_COLUMNS)
    return every, every.where(table.c.id == bindparam("id")), select(func.count()).select_from(table)


def _view(row: Row[Any]) -> ConflictView:
    *fields, metadata = row
    return ConflictView(*fields, metadata=metadata or {})


class SqlAlchemyConflictViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, CONFLICT_FIELDS, key="id", dialect=engine.dialect.name)

    def get(self, conflict_id: str) -> ConflictView | None:
        with translating(), self.engine.connect() as connection:
            row = connection.execute(_statements()[1], {"id": conflict_id}).first()
        return None if row is None else _view(row)

    def list(self, query: Specification | Query | None = None) -> list[ConflictView]:
        statement, params = self.compiler.select("conflict views", lambda: _statements()[0], as_query(query))
        with translating(), self.engine.connect() as connection:
            return [_view(row) for row in connection.execute(statement, params)]

    def count(self, spec: Specification | None = None) -> int:
        query = as_query(spec)
        validate(query, CONFLICT_FIELDS)
        with translating(), self.engine.connect() as connection:
            return connection.execute(_statements()[2].where(self.compiler.where(query.where))).scalar_one()
