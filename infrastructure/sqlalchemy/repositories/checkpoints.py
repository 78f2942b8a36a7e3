"""SqlAlchemyCheckpointRepository: checkpoints through the session of a Unit of Work."""

from sqlalchemy import insert

from domain.checkpoints.model import FIELDS, Checkpoint, check_checkpoint_id
from domain.checkpoints.ports import CHECKPOINT_FIELDS
from infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from infrastructure.sqlalchemy.tables import pipeline_checkpoints


class SqlAlchemyCheckpointRepository(SqlAlchemyRepository):
    entity, table, fields, key = Checkpoint, pipeline_checkpoints, CHECKPOINT_FIELDS, "checkpoint_id"

    def add(self, checkpoint: Checkpoint) -> None:
        """A Core INSERT, then the object is attached (the lean route)."""
        self._check([checkpoint])
        self.session.execute(insert(pipeline_checkpoints), {name: getattr(checkpoint, name) for name in FIELDS})
        self._attach([checkpoint])

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        return self._seen(self.session.get(Checkpoint, check_checkpoint_id(checkpoint_id)))
