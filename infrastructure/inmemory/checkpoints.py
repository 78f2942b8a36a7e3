"""InMemoryCheckpointRepository: checkpoints in a dict keyed by checkpoint id."""

from memcore.domain.checkpoints.model import Checkpoint, check_checkpoint_id
from memcore.domain.checkpoints.ports import CHECKPOINT_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.inmemory.base import InMemoryRepository


class InMemoryCheckpointRepository(InMemoryRepository):
    fields, key = CHECKPOINT_FIELDS, "checkpoint_id"

    def add(self, checkpoint: Checkpoint) -> None:
        if not isinstance(checkpoint, Checkpoint):
            raise InvalidInput(f"expected a Checkpoint, got {type(checkpoint).__name__}")
        if checkpoint.checkpoint_id in self.rows:
            raise AlreadyExists(f"a checkpoint with id {checkpoint.checkpoint_id!r} already exists")
        key = (checkpoint.thread_id, checkpoint.sequence)
        if any((c.thread_id, c.sequence) == key for c in self.rows.values()):
            raise AlreadyExists(f"thread {checkpoint.thread_id!r} already has checkpoint #{checkpoint.sequence}")
        self.rows[checkpoint.checkpoint_id] = checkpoint
        self.seen.add(checkpoint)

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        return self._seen(self.rows.get(check_checkpoint_id(checkpoint_id)))

    def latest(self, thread_id: str, for_update: bool = False) -> Checkpoint | None:
        """`for_update` changes nothing here: the in-memory store has one writer at a time."""
        mine = [c for c in self.rows.values() if c.thread_id == thread_id]
        return self._seen(max(mine, key=lambda c: c.sequence)) if mine else None
