"""Commands of the conflicts context: frozen, primitives only."""

from datetime import datetime
from typing import Any

import attrs


@attrs.frozen
class RecordConflict:
    user_id: str
    memory_a_id: str
    memory_b_id: str
    category: str
    similarity_score: float
    avg_importance: float
    is_singleton_category: bool = False
    clarification_hint: str | None = None
    id: str | None = None
    # Set when importing a conflict recorded elsewhere (drop-in API); new ones start pending.
    status: str = "pending"
    resolution_type: str | None = None
    winning_memory_id: str | None = None
    resolution_attempts: int = 0
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ResolveConflict:
    conflict_id: str
    decision: str
    resolution_type: str
    resolved_by: str
    notes: str | None = None
    confirming_memory_text: str | None = None


@attrs.frozen
class RecordFailedAttempt:
    conflict_id: str


@attrs.frozen
class EscalateConflict:
    conflict_id: str


@attrs.frozen
class ClearUserConflicts:
    user_id: str
    status: str | None = None
