"""Metric storage: `SQLMetricStorage(Database(url))` and its asyncio twin."""

from memcore.infrastructure.compat.metrics import *  # noqa: F403
from memcore.infrastructure.compat.metrics import __all__ as __all__
