"""SqlAlchemyMemoryViews: the memory read model on the lean route.

Point reads and key-order pages run pre-rendered SQL on the FastReader; search joins the engine's
full-text objects (search.py) with the Specification filter and ranks in the database, one statement
per query shape rendered once and run on the FastReader too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, func, select

from memcore.application.memory.views import NEWEST_FIRST, MemoryEntryView, SearchHit
from memcore.domain.memory.model import MEMORY_FIELDS_STORED
from memcore.domain.memory.ports import MEMORY_FIELDS, check_query
from memcore.domain.memory.values import check_key
from memcore.domain.shared.specification import Everything, Query, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, PlannedReads, RowCodec
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import LTM_SEARCH
from memcore.infrastructure.sqlalchemy.tables import ltm_entries as table

_COLUMNS = {name: table.c[name] for name in MEMORY_FIELDS}
_SELECTED = [table.c[name] for name in MEMORY_FIELDS_STORED]


class SqlAlchemyMemoryViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.compiler = SpecCompiler(_COLUMNS, MEMORY_FIELDS, key="key", dialect=self.dialect)
        self.codec = RowCodec(table, MEMORY_FIELDS_STORED, engine.dialect)
        self.reader = FastReader(engine)
        self.plans = PlannedReads(engine, self.reader)
        mark, name = self.codec.marker, self.codec.table_name
        key = engine.dialect.identifier_preparer.quote("key")
        head = f"SELECT {self.codec.column_list} FROM {name}"
        self._by_key = f"{head} WHERE {key} = {mark}"
        self.value_codec = RowCodec(table, ("value", "metadata"), engine.dialect)
        self._value_by_key = f"SELECT {self.value_codec.column_list} FROM {name} WHERE {key} = {mark}"
        self._first_page = f"{head} ORDER BY {key} LIMIT {mark}"
        self._next_page = f"{head} WHERE {key} > {mark} ORDER BY {key} LIMIT {mark}"

    def _view(self, row: Any) -> MemoryEntryView:
        return MemoryEntryView(*self.codec.decode(row))

    def get(self, key: str) -> MemoryEntryView | None:
        row = self.reader.first(self._by_key, (check_key(key),))
        return None if row is None else self._view(row)

    def get_value(self, key: str) -> tuple[Any, dict[str, Any] | None] | None:
        # Two columns, not five: PyMySQL parses every column's description on each read.
        row = self.reader.first(self._value_by_key, (check_key(key),))
        return None if row is None else tuple(self.value_codec.decode(row))  # type: ignore[return-value]

    def get_many(self, keys: list[str]) -> dict[str, MemoryEntryView]:
        if not keys:
            return {}
        statement = select(*_SELECTED).where(table.c.key.in_(keys))
        with translating(), self.engine.connect() as connection:
            return {row[0]: MemoryEntryView(*row) for row in connection.execute(statement)}

    def _where(self, spec: Specification | None) -> Any:
        query = as_query(spec)
        check_query(query)
        validate(query, MEMORY_FIELDS)
        return self.compiler.where(query.where)

    def search(self, words: list[str], where: Specification, limit: int) -> list[SearchHit]:
        check_query(where)
        bound = search.query_params(LTM_SEARCH, self.dialect, words)
        # One statement per shape (the filter's, and which search parameters), run with new values.
        shape = None if bound is None else tuple(bound)
        query = Query(where=as_query(where).where, order_by=NEWEST_FIRST if bound is None else (), limit=limit)
        top = limit if isinstance(query.where, Everything) else None  # the best rows need no other filter

        def base() -> Select[Any]:
            return search.apply(select(*_SELECTED), LTM_SEARCH, self.dialect, table, words, top)

        statement, params = self.compiler.select(f"memory search {shape}", base, query)
        rows = self.plans.all(statement, {**params, **(bound or {})}, self.codec.decode)
        if bound is None:
            return [SearchHit(MemoryEntryView(*row), None) for row in rows]
        return [SearchHit(MemoryEntryView(*row[:5]), float(row[5])) for row in rows]

    def page(self, after: str | None, limit: int) -> list[MemoryEntryView]:
        if after is None:
            rows = self.reader.all(self._first_page, (limit,))
        else:
            rows = self.reader.all(self._next_page, (after, limit))
        return [self._view(row) for row in rows]

    def count(self, spec: Specification | None = None) -> int:
        statement = select(func.count()).select_from(table).where(self._where(spec))
        with translating(), self.engine.connect() as connection:
            return connection.execute(statement).scalar_one()

    def close(self) -> None:
        self.reader.close()
