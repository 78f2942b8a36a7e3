"""SqlAlchemyConflictViews: the conflicts read model on the lean route.

No session or identity map: point reads go through the FastReader (pre-rendered SQL, one
autocommit connection per thread), pages are Core statements built once per query shape and run
as planned reads, and rows turn straight into frozen views.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, func, select

from memcore.application.conflicts.views import ConflictView, pending_query
from memcore.domain.conflicts.ports import CONFLICT_FIELDS
from memcore.domain.shared.specification import Query, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, PlannedReads, RowCodec
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import conflicts as table
from memcore.infrastructure.sqlalchemy.types import UtcDateTime

_COLUMNS = {name: table.c[name] for name in CONFLICT_FIELDS}
_VIEW_NAMES = (*CONFLICT_FIELDS, "metadata_json")


@cache
def _select_all() -> Select[Any]:
    return select(*(table.c[name] for name in _VIEW_NAMES))


def _view(row: Any) -> ConflictView:
    *fields, metadata = row
    return ConflictView(*fields, metadata=metadata or {})


_MAX_PENDING_PAGES = 64  # distinct limits kept planned


_WRITTEN = len("2024-01-01 00:00:00.000000")


def _utc(value: Any) -> datetime:
    """UtcDateTime's result processing in one step: SQLite's text or a driver's naive UTC value."""
    if isinstance(value, str):
        if len(value) == _WRITTEN:  # as memcore writes it: naive UTC with microseconds
            return datetime.fromisoformat(value + "+00:00")  # one C call, tzinfo is UTC
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _view_decoder(codec: RowCodec) -> Callable[[Sequence[Any]], ConflictView]:
    """Row tuple -> ConflictView in one pass: only the columns the driver does not hand back as
    the view's type are converted (UtcDateTime's wrapper calls replaced by `_utc`)."""
    processors = [
        (i, _utc if isinstance(codec.columns[i].type, UtcDateTime) else process) for i, process in codec._result
    ]
    last = len(codec.columns) - 1
    view = ConflictView

    def decode(row: Sequence[Any]) -> ConflictView:
        values = list(row)
        for index, process in processors:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        if values[last] is None:
            values[last] = {}
        return view(*values)

    return decode


class SqlAlchemyConflictViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, CONFLICT_FIELDS, key="id", dialect=engine.dialect.name)
        self.codec = RowCodec(table, _VIEW_NAMES, engine.dialect)
        self.reader = FastReader(engine)
        self.plans = PlannedReads(engine, self.reader)
        self._decode_view = _view_decoder(self.codec)
        self._pending: dict[int | None, Any] = {}  # limit -> the planned statement
        self._by_id = f"SELECT {self.codec.column_list} FROM {self.codec.table_name} WHERE id = {self.codec.marker}"

    def get(self, conflict_id: str) -> ConflictView | None:
        row = self.reader.first(self._by_id, (conflict_id,))
        return None if row is None else _view(self.codec.decode(row))

    def pending(self, user_id: str, limit: int | None = None) -> list[ConflictView]:
        """`list(pending_query(user_id, limit))` with the Query built, validated and compiled once
        per limit: each call binds the two values and decodes the rows."""
        statement = self._pending.get(limit) if limit is None or type(limit) is int else None
        if statement is None:
            statement, _ = self.compiler.select("conflict views", _select_all, pending_query(user_id, limit))
            if len(self._pending) >= _MAX_PENDING_PAGES:
                self._pending.clear()
            self._pending[limit] = statement
        params = {"p0": user_id, "p1": "pending"}
        return self.plans.all(statement, params, self._decode_view)

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
