"""SqlAlchemyCheckpointRepository: checkpoints through the session of a Unit of Work."""

from functools import cache
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from domain.checkpoints.model import FIELDS, Checkpoint, check_checkpoint_id
from domain.checkpoints.ports import CHECKPOINT_FIELDS
from domain.shared.errors import InvalidInput
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.mappers import remember_json
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import pipeline_checkpoints as table

COLUMNS = {name: table.c[name] for name in CHECKPOINT_FIELDS}
_COUNT = select(func.count()).select_from(table)


@cache
def _select_checkpoints() -> Select[Any]:
    return select(Checkpoint)


class SqlAlchemyCheckpointRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Checkpoint] = set()
        dialect = session.get_bind().dialect.name
        self.compiler = SpecCompiler(COLUMNS, CHECKPOINT_FIELDS, key="checkpoint_id", dialect=dialect)

    def add(self, checkpoint: Checkpoint) -> None:
        """A Core INSERT, then the object joins the session as if loaded (the lean route)."""
        if not isinstance(checkpoint, Checkpoint):
            raise InvalidInput(f"expected a Checkpoint, got {type(checkpoint).__name__}")
        self.session.execute(insert(table), {name: getattr(checkpoint, name) for name in FIELDS})
        make_transient_to_detached(checkpoint)
        self.session.add(checkpoint)
        remember_json(checkpoint)
        self.seen.add(checkpoint)

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        checkpoint = self.session.get(Checkpoint, check_checkpoint_id(checkpoint_id))
        if checkpoint is not None:
            self.seen.add(checkpoint)
        return checkpoint

    def list(self, query: Specification | Query | None = None) -> list[Checkpoint]:
        statement, params = self.compiler.select("checkpoints", _select_checkpoints, as_query(query))
        found = list(self.session.scalars(statement, params))
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        query = as_query(spec)
        validate(query, CHECKPOINT_FIELDS)
        return self.session.execute(_COUNT.where(self.compiler.where(query.where))).scalar_one()

    def remove(self, spec: Specification) -> int:
        query = as_query(spec)
        validate(query, CHECKPOINT_FIELDS)
        self.session.flush()
        result = self.session.execute(
            delete(table).where(self.compiler.where(query.where)),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()
        return result.rowcount
