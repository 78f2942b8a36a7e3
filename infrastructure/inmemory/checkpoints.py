"""InMemoryCheckpointRepository: checkpoints in a dict keyed by checkpoint id."""

from domain.checkpoints.model import Checkpoint, check_checkpoint_id
from domain.checkpoints.ports import CHECKPOINT_FIELDS
from domain.shared.errors import AlreadyExists, InvalidInput
from domain.shared.specification import Query, Specification, apply, as_query


class InMemoryCheckpointRepository:
    def __init__(self, rows: dict[str, Checkpoint]) -> None:
        self.rows = rows
        self.seen: set[Checkpoint] = set()

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
        checkpoint = self.rows.get(check_checkpoint_id(checkpoint_id))
        if checkpoint is not None:
            self.seen.add(checkpoint)
        return checkpoint

    def list(self, query: Specification | Query | None = None) -> list[Checkpoint]:
        found = apply(as_query(query), self.rows.values(), CHECKPOINT_FIELDS, key="checkpoint_id")
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        return len(apply(as_query(spec), self.rows.values(), CHECKPOINT_FIELDS, key="checkpoint_id"))

    def remove(self, spec: Specification) -> int:
        doomed = apply(as_query(spec), self.rows.values(), CHECKPOINT_FIELDS, key="checkpoint_id")
        for checkpoint in doomed:
            del self.rows[checkpoint.checkpoint_id]
        return len(doomed)
