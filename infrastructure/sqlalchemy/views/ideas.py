"""SqlAlchemyIdeaViews: the ideas read model on the lean route.

Point reads go through the FastReader (pre-rendered SQL, one autocommit connection per thread);
pages, counts and aggregates are Core statements whose grouping and sums run in the database.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, func, select

from memcore.application.ideas.views import GroupTotals, IdeaView, check_groupable
from memcore.domain.ideas.model import FIELDS, check_idea_id
from memcore.domain.ideas.ports import IDEA_FIELDS
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Query, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, PlannedReads, RowCodec
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import idea_inspiration as table

_COLUMNS = {name: table.c[name] for name in IDEA_FIELDS}


@cache
def _select_all() -> Select[Any]:
    return select(*(table.c[name] for name in FIELDS))


class SqlAlchemyIdeaViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, IDEA_FIELDS, key="id", dialect=engine.dialect.name)
        self.codec = RowCodec(table, FIELDS, engine.dialect)
        self.reader = FastReader(engine)
        self.plans = PlannedReads(engine, self.reader)
        select_sql = f"SELECT {self.codec.column_list} FROM {self.codec.table_name} WHERE "
        self._by_id = select_sql + f"id = {self.codec.marker}"
        self._by_source = select_sql + f"source_id = {self.codec.marker}"

    def _one(self, sql: str, key: Any) -> IdeaView | None:
        row = self.reader.first(sql, (key,))
        return None if row is None else IdeaView(*self.codec.decode(row))

    def get(self, idea_id: int) -> IdeaView | None:
        check_idea_id(idea_id)
        return self._one(self._by_id, idea_id)

    def get_by_source_id(self, source_id: str) -> IdeaView | None:
        if not isinstance(source_id, str):
            raise InvalidInput(f"source ids are strings, got {type(source_id).__name__}")
        return self._one(self._by_source, source_id)

    def list(self, query: Specification | Query | None = None) -> list[IdeaView]:
        statement, params = self.compiler.select("idea views", _select_all, as_query(query))
        return [IdeaView(*row) for row in self.plans.all(statement, params, self.codec.decode)]

    def _where(self, spec: Specification | None) -> Any:
        query = as_query(spec)
        validate(query, IDEA_FIELDS)
        return self.compiler.where(query.where)

    def count(self, spec: Specification | None = None) -> int:
        statement = select(func.count()).select_from(table).where(self._where(spec))
        with translating(), self.engine.connect() as connection:
            return connection.execute(statement).scalar_one()

    def totals_by(self, field: str, spec: Specification | None = None) -> list[GroupTotals]:
        check_groupable(field)
        key, score = table.c[field], table.c.score
        statement = (
            select(key, func.count(), func.count(score), func.coalesce(func.sum(score), 0))
            .where(self._where(spec))
            .group_by(key)
        )
        with translating(), self.engine.connect() as connection:
            # int(): MySQL returns SUM() of integers as a decimal
            return [GroupTotals(k, n, scored, int(total)) for k, n, scored, total in connection.execute(statement)]

    def score_counts(self, spec: Specification | None = None) -> dict[int, int]:
        score = table.c.score
        statement = select(score, func.count()).where(self._where(spec), score.is_not(None)).group_by(score)
        with translating(), self.engine.connect() as connection:
            return {s: n for s, n in connection.execute(statement)}

    def close(self) -> None:
        self.reader.close()
