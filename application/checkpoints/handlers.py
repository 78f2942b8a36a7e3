"""Write-side use cases of the checkpoints context."""

import random
import time
from collections.abc import Callable
from datetime import datetime

from memcore.application.checkpoints import commands
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.checkpoints.model import Checkpoint, check_checkpoint_id
from memcore.domain.shared.errors import AlreadyExists, InvalidInput, NotFound, StorageTimeout, TransactionConflict
from memcore.domain.shared.specification import Field, Query
from memcore.domain.shared.validation import check_id, shown

Clock = Callable[[], datetime]
# Writers saving to one thread at once may pick the same sequence (or meet each other's lock);
# the loser waits a random moment, growing with each try, and tries again.
SEQUENCE_RETRIES = 30
RACES = (AlreadyExists, TransactionConflict, StorageTimeout)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry `attempt`: random, so racing writers fall out of step."""
    return random.uniform(0, min(0.05, 0.001 * 2**attempt))


def newest_first(thread_id: str, limit: int | None = None) -> Query:
    return Query(where=Field("thread_id") == thread_id, order_by=[Field("sequence").desc()], limit=limit)


class SaveCheckpointHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.SaveCheckpoint) -> str:
        for attempt in range(SEQUENCE_RETRIES):
            try:
                return self._save(cmd)
            except RACES:
                if attempt == SEQUENCE_RETRIES - 1:
                    raise
                time.sleep(backoff(attempt))
        raise AssertionError("unreachable")

    def _save(self, cmd: commands.SaveCheckpoint) -> str:
        check_id("thread_id", cmd.thread_id)
        with self.uow:
            if cmd.parent_id is not None:
                parent = self.uow.checkpoints.get(check_checkpoint_id(cmd.parent_id, "parent_id"))
                if parent is None or parent.thread_id != cmd.thread_id:
                    raise NotFound(f"no checkpoint {shown(cmd.parent_id)} in thread {shown(cmd.thread_id)}")
            latest = self.uow.checkpoints.latest(cmd.thread_id, for_update=True)
            checkpoint = Checkpoint(
                thread_id=cmd.thread_id,
                pipeline_id=cmd.pipeline_id,
                state=cmd.state,
                metadata=cmd.metadata if cmd.metadata is not None else {},
                parent_id=cmd.parent_id,
                sequence=latest.sequence + 1 if latest is not None else 1,
                created_at=self.clock(),
            )
            self.uow.checkpoints.add(checkpoint)
            self.uow.commit()
        return checkpoint.checkpoint_id


class DeleteThreadHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.DeleteThread) -> int:
        check_id("thread_id", cmd.thread_id)
        with self.uow:
            removed = self.uow.checkpoints.remove(Field("thread_id") == cmd.thread_id)
            self.uow.commit()
        return removed


class PruneThreadHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.PruneThread) -> int:
        check_id("thread_id", cmd.thread_id)
        if isinstance(cmd.keep_last, bool) or not isinstance(cmd.keep_last, int) or cmd.keep_last < 0:
            raise InvalidInput(f"keep_last must be a non-negative integer, got {shown(cmd.keep_last)}")
        with self.uow:
            spec = Field("thread_id") == cmd.thread_id
            if cmd.keep_last:
                kept = self.uow.checkpoints.list(newest_first(cmd.thread_id, limit=cmd.keep_last))
                if len(kept) < cmd.keep_last:
                    return 0
                spec = spec & (Field("sequence") < kept[-1].sequence)
            removed = self.uow.checkpoints.remove(spec)
            self.uow.commit()
        return removed
