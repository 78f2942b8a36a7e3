"""SqlAlchemyConflictRepository: conflicts through the ORM session of a Unit of Work."""

from functools import cache
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from domain.conflicts.model import MemoryConflict
from domain.conflicts.ports import CONFLICT_FIELDS
from domain.shared.errors import AlreadyExists, InvalidInput
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.mappers import remember_json
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import conflicts as table

_COLUMNS = {name: table.c[name] for name in CONFLICT_FIELDS}
_COUNT = select(func.count()).select_from(table)


@cache
def _select_conflicts() -> Select[Any]:
    # Built once, after the mappers have started, and reused: half the overhead per read.
    return select(MemoryConflict)


class SqlAlchemyConflictRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[MemoryConflict] = set()
        dialect = session.get_bind().dialect.name
        self.compiler = SpecCompiler(_COLUMNS, CONFLICT_FIELDS, key="id", dialect=dialect)

    def add(self, conflict: MemoryConflict) -> None:
        self.add_many([conflict])

    def add_many(self, conflicts: list[MemoryConflict]) -> None:
        """One Core INSERT (the lean route: no unit-of-work flush), then the objects join the session
        as if just loaded, so later changes to them in this transaction are tracked as usual."""
        ids = [c.id for c in conflicts]
        if len(set(ids)) != len(ids):
            raise AlreadyExists("the batch holds the same conflict id twice")
        for conflict in conflicts:
            if not isinstance(conflict, MemoryConflict):
                raise InvalidInput(f"expected a MemoryConflict, got {type(conflict).__name__}")
        if conflicts:
            self.session.execute(insert(table), [_row(c) for c in conflicts])
        for conflict in conflicts:
            make_transient_to_detached(conflict)
            self.session.add(conflict)
            remember_json(conflict)
        self.seen.update(conflicts)

    def get(self, conflict_id: str) -> MemoryConflict | None:
        conflict = self.session.get(MemoryConflict, conflict_id)
        if conflict is not None:
            self.seen.add(conflict)
        return conflict

    def list(self, query: Specification | Query | None = None) -> list[MemoryConflict]:
        statement, params = self.compiler.select("conflicts", _select_conflicts, as_query(query))
        found = list(self.session.scalars(statement, params))
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        query = as_query(spec)
        validate(query, CONFLICT_FIELDS)
        return self.session.execute(_COUNT.where(self.compiler.where(query.where))).scalar_one()

    def remove(self, spec: Specification) -> int:
        query = as_query(spec)
        validate(query, CONFLICT_FIELDS)
        self.session.flush()
        result = self.session.execute(
            delete(table).where(self.compiler.where(query.where)),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()
        return result.rowcount


def _row(conflict: MemoryConflict) -> dict[str, Any]:
    row = {name: getattr(conflict, name) for name in CONFLICT_FIELDS}
    row["metadata_json"] = conflict.metadata
    return row
