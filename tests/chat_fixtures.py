"""What the conversations suites share: services on a Unit of Work with a controllable clock."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from memcore.application.bootstrap import build_services
from tests.unit.builders import FakeClock

START = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
METADATA = {
    "tool_calls": [{"name": "search", "arguments": {"q": "Grüße 世界 👋"}}],
    "tokens": {"prompt": 12, "completion": 2**53 + 1, "big": -(2**63)},
    "retrieved": ["chunk-1", None, True, 0.25, 1e308],
    "": "empty key",
    "deep": [[[{"ключ": "значение"}]]],
}


def sequential_ids(prefix: int = 0):
    """UUIDs in creation order, so tie-breaks by id are predictable."""
    counter = itertools.count(1)
    return lambda: str(uuid.UUID(int=(prefix << 64) + next(counter)))


def chat_services(uow, step: timedelta = timedelta(seconds=1), start: datetime = START):
    clock = FakeClock(start, step)
    return build_services(uow, clock=clock, uuid_factory=sequential_ids()), clock
