"""SqlAlchemyCheckpointRepository: checkpoints inserted on the lean route, read through the session."""

from sqlalchemy import select

from memcore.domain.checkpoints.model import FIELDS, Checkpoint, check_checkpoint_id
from memcore.domain.checkpoints.ports import CHECKPOINT_FIELDS
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.tables import pipeline_checkpoints


class SqlAlchemyCheckpointRepository(SqlAlchemyRepository):
    entity, table, fields, key = Checkpoint, pipeline_checkpoints, CHECKPOINT_FIELDS, "checkpoint_id"
    stored = {name: name for name in FIELDS}

    def add(self, checkpoint: Checkpoint) -> None:
        """An INSERT on the lean route (see SqlAlchemyRepository._insert)."""
        self._check([checkpoint])
        self._insert([checkpoint])

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        return self._seen(self.session.get(Checkpoint, check_checkpoint_id(checkpoint_id)))

    def latest(self, thread_id: str, for_update: bool = False) -> Checkpoint | None:
        """The thread's newest checkpoint; `for_update` locks it (SQLite: the writer holds the lock)."""
        statement = (
            select(Checkpoint)
            .where(self.table.c.thread_id == thread_id)
            .order_by(self.table.c.sequence.desc())
            .limit(1)
        )
        if for_update:
            statement = statement.with_for_update()
        return self._seen(self.session.scalars(statement).first())
