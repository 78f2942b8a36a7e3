"""SqlAlchemyCheckpointViews: the checkpoints read model on Core statements built once."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, bindparam, select

from memcore.application.checkpoints.views import CheckpointView
from memcore.domain.checkpoints.model import FIELDS
from memcore.domain.checkpoints.ports import CHECKPOINT_FIELDS
from memcore.domain.shared.specification import Query, Specification, as_query
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import pipeline_checkpoints as table

_COLUMNS = {name: table.c[name] for name in CHECKPOINT_FIELDS}


@cache
def _statements() -> tuple[Select[Any], Select[Any]]:
    every = select(*(table.c[name] for name in FIELDS))
    return every, every.where(table.c.checkpoint_id == bindparam("id"))


class SqlAlchemyCheckpointViews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compiler = SpecCompiler(_COLUMNS, CHECKPOINT_FIELDS, key="checkpoint_id", dialect=engine.dialect.name)

    def get(self, checkpoint_id: str) -> CheckpointView | None:
        with translating(), self.engine.connect() as connection:
            row = connection.execute(_statements()[1], {"id": checkpoint_id}).first()
        return None if row is None else CheckpointView(*row)

    def list(self, query: Specification | Query | None = None) -> list[CheckpointView]:
        statement, params = self.compiler.select("checkpoint views", lambda: _statements()[0], as_query(query))
        with translating(), self.engine.connect() as connection:
            return [CheckpointView(*row) for row in connection.execute(statement, params)]
