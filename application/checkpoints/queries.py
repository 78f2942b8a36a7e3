"""Read-side use cases of the checkpoints context."""

from memcore.application.checkpoints.handlers import newest_first
from memcore.application.checkpoints.views import CheckpointView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.checkpoints.model import check_checkpoint_id
from memcore.domain.shared.errors import NotFound
from memcore.domain.shared.specification import Field, Query
from memcore.domain.shared.validation import check_count, check_id, shown


class CheckpointQueries:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def get(self, checkpoint_id: str) -> CheckpointView | None:
        return self.uow.checkpoint_views.get(check_checkpoint_id(checkpoint_id))

    def latest(self, thread_id: str, pipeline_id: str | None = None) -> CheckpointView | None:
        """The thread's newest checkpoint (of one pipeline, if given)."""
        query = newest_first(check_id("thread_id", thread_id), limit=1)
        if pipeline_id is not None:
            check_id("pipeline_id", pipeline_id)
            query = Query(where=query.where & (Field("pipeline_id") == pipeline_id), order_by=query.order_by, limit=1)
        found = self.uow.checkpoint_views.list(query)
        return found[0] if found else None

    def history(self, thread_id: str, limit: int = 20, before: str | None = None) -> list[CheckpointView]:
        """Newest first; `before` (a checkpoint id of the thread) pages further back."""
        check_id("thread_id", thread_id)
        check_count("limit", limit)
        query = newest_first(thread_id, limit=limit)
        if before is not None:
            anchor = self.uow.checkpoint_views.get(check_checkpoint_id(before, "before"))
            if anchor is None or anchor.thread_id != thread_id:
                raise NotFound(f"no checkpoint {shown(before)} in thread {shown(thread_id)}")
            query = Query(where=query.where & (Field("sequence") < anchor.sequence), order_by=query.order_by,
                          limit=limit)  # fmt: skip
        return self.uow.checkpoint_views.list(query)
