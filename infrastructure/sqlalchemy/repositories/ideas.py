"""SqlAlchemyIdeaRepository: ideas through the session of a Unit of Work; bulk loads on the DB-API."""

from functools import cache
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from domain.ideas.model import FIELDS, IdeaInspiration, check_idea_id
from domain.ideas.ports import IDEA_FIELDS
from domain.shared.errors import InvalidInput
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.fastpath import RowCodec
from infrastructure.sqlalchemy.mappers import remember_json
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import idea_inspiration as table

COLUMNS = {name: table.c[name] for name in IDEA_FIELDS}
STORED = [name for name in FIELDS if name != "id"]
_COUNT = select(func.count()).select_from(table)


@cache
def _select_ideas() -> Select[Any]:
    return select(IdeaInspiration)


def _check(ideas: list[IdeaInspiration]) -> None:
    for index, idea in enumerate(ideas):
        if not isinstance(idea, IdeaInspiration):
            raise InvalidInput(f"item #{index} is not an IdeaInspiration but {type(idea).__name__}")


class SqlAlchemyIdeaRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[IdeaInspiration] = set()
        dialect = session.get_bind().dialect
        self.compiler = SpecCompiler(COLUMNS, IDEA_FIELDS, key="id", dialect=dialect.name)
        self.codec = RowCodec(table, STORED, dialect)

    def add(self, idea: IdeaInspiration) -> int:
        _check([idea])
        result = self.session.execute(insert(table), {name: getattr(idea, name) for name in STORED})
        idea.id = result.inserted_primary_key[0]
        make_transient_to_detached(idea)
        self.session.add(idea)
        remember_json(idea)
        self.seen.add(idea)
        return idea.id

    def add_many(self, ideas: list[IdeaInspiration]) -> int:
        """One executemany of pre-coded tuples on the transaction's connection: the bulk-load route."""
        _check(ideas)
        if ideas:
            rows = [self.codec.encode([getattr(idea, name) for name in STORED]) for idea in ideas]
            self.session.connection().exec_driver_sql(self.codec.insert_sql, rows)
        return len(ideas)

    def get(self, idea_id: int) -> IdeaInspiration | None:
        check_idea_id(idea_id)
        idea = self.session.get(IdeaInspiration, idea_id)
        if idea is not None:
            self.seen.add(idea)
        return idea

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None:
        idea = self.session.scalars(_select_ideas().where(table.c.source_id == source_id)).first()
        if idea is not None:
            self.seen.add(idea)
        return idea

    def list(self, query: Specification | Query | None = None) -> list[IdeaInspiration]:
        statement, params = self.compiler.select("ideas", _select_ideas, as_query(query))
        found = list(self.session.scalars(statement, params))
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        query = as_query(spec)
        validate(query, IDEA_FIELDS)
        return self.session.execute(_COUNT.where(self.compiler.where(query.where))).scalar_one()

    def remove(self, spec: Specification) -> int:
        query = as_query(spec)
        validate(query, IDEA_FIELDS)
        self.session.flush()
        result = self.session.execute(
            delete(table).where(self.compiler.where(query.where)),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()
        return result.rowcount
