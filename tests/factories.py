"""Test data builders shared by the suites."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.domain.conflicts.model import MemoryConflict

_counter = itertools.count()
T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def a_conflict(**overrides: Any) -> MemoryConflict:
    n = next(_counter)
    fields: dict[str, Any] = {
        "id": f"conflict-{n:05d}",
        "user_id": "user-1",
        "memory_a_id": f"mem-{n}-a",
        "memory_b_id": f"mem-{n}-b",
        "category": "preferences",
        "similarity_score": 0.8,
        "avg_importance": 0.5,
        "created_at": T0 + timedelta(seconds=n),
    }
    fields.update(overrides)
    return MemoryConflict(**fields)
