"""The read model of the checkpoints context: frozen views and the port serving them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.checkpoints.model import FIELDS, Checkpoint
from memcore.domain.shared.specification import Query, Specification, as_query


@attrs.frozen
class CheckpointView:
    checkpoint_id: str
    thread_id: str
    pipeline_id: str
    parent_id: str | None
    sequence: int
    state: dict[str, Any]
    metadata: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> CheckpointView:
        return cls(**{name: getattr(checkpoint, name) for name in FIELDS})

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data


class CheckpointViews(Protocol):
    def get(self, checkpoint_id: str) -> CheckpointView | None: ...

    def list(self, query: Specification | Query | None = None) -> list[CheckpointView]: ...


class RepositoryCheckpointViews:
    """Views served by any Unit of Work's repository: the reference the lean adapters must match."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, checkpoint_id: str) -> CheckpointView | None:
        with self.uow:
            checkpoint = self.uow.checkpoints.get(checkpoint_id)
            return None if checkpoint is None else CheckpointView.of(checkpoint)

    def list(self, query: Specification | Query | None = None) -> list[CheckpointView]:
        with self.uow:
            return [CheckpointView.of(c) for c in self.uow.checkpoints.list(as_query(query))]
