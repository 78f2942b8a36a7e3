"""Commands of the checkpoints context."""

from typing import Any

import attrs


@attrs.frozen
class SaveCheckpoint:
    thread_id: str
    pipeline_id: str
    state: dict[str, Any]
    metadata: dict[str, Any] | None = None
    parent_id: str | None = None


@attrs.frozen
class DeleteThread:
    thread_id: str


@attrs.frozen
class PruneThread:
    """Keep only the newest `keep_last` checkpoints of a thread."""

    thread_id: str
    keep_last: int
