"""The storage port of the checkpoints context and the fields a Specification may name."""

from datetime import datetime
from typing import Protocol

from memcore.domain.checkpoints.model import Checkpoint
from memcore.domain.shared.specification import Query, Specification

CHECKPOINT_FIELDS: dict[str, type] = {
    "checkpoint_id": str,
    "thread_id": str,
    "pipeline_id": str,
    "parent_id": str,
    "sequence": int,
    "created_at": datetime,
}


class CheckpointRepository(Protocol):
    seen: set[Checkpoint]

    def add(self, checkpoint: Checkpoint) -> None: ...

    def get(self, checkpoint_id: str) -> Checkpoint | None: ...

    def latest(self, thread_id: str, for_update: bool = False) -> Checkpoint | None:
        """The thread's newest checkpoint. `for_update` locks it until the transaction ends, so
        writers saving to one thread queue instead of all picking the same next sequence."""
        ...

    def list(self, query: Specification | Query | None = None) -> list[Checkpoint]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...
