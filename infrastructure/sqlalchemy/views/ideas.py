"""SqlAlchemyIdeaViews: the ideas read model on the lean route.

Point reads go through the FastReader (pre-rendered SQL, one autocommit connection per thread);
pages, counts and aggregates are Core statements whose grouping and sums run in the database.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, func, select

from application.ideas.views import GroupTotals, IdeaView, check_groupable
from domain.ideas.model import FIELDS, check_idea_id
from domain.ideas.ports import IDEA_FIELDS
from domain.shared.errors import InvalidInput
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.errors import translating
from infrastructure.sqlalchemy.fastpath import FastReader, RowCodec
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import idea_inspiration as table

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
        self._plans: dict[int, Any] = {}
        self._positional = engine.dialect.positional
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
        plan = self._plans.get(id(statement))
        if plan is None or plan[0] is not statement:
            plan = self._plans[id(statement)] = (statement, *self._plan(statement))
        _, compiled, names, processors = plan
        if compiled is None:  # expanding IN lists: SQLAlchemy renders those per call
            with translating(), self.engine.connect() as connection:
                return [IdeaView(*row) for row in connection.execute(statement, params)]
        values = compiled.construct_params(params)
        args: Any = [values[name] for name in names]
        for i, process in processors:
            if args[i] is not None:
                args[i] = process(args[i])
        if not self._positional:
            args = dict(zip(names, args, strict=True))
        decode = self.codec.decode
        return [IdeaView(*decode(row)) for row in self.reader.all(compiled.string, args)]

    def _plan(self, statement: Any) -> tuple[Any, list[str], list[tuple[int, Any]]]:
        """The statement rendered once for this dialect, its parameter names and bind processors."""
        compiled = statement.compile(dialect=self.engine.dialect)
        if "POSTCOMPILE" in compiled.string:
            return None, [], []
        by_name = {compiled.bind_names[b]: b for b in compiled.binds.values()}
        names = list(compiled.positiontup) if compiled.positional else list(by_name)
        processors = []
        for i, name in enumerate(names):
            process = by_name[name].type.dialect_impl(self.engine.dialect).bind_processor(self.engine.dialect)
            if process is not None:
                processors.append((i, process))
        return compiled, names, processors

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
