"""Graph checkpoints (LangGraph's model): the identifiers a thread's checkpoints and writes carry.

A graph framework names a checkpoint by thread, namespace (empty for the root graph, one per
subgraph) and checkpoint id; a pending write by the task that made it. Each is checked here, the
same on every adapter, before anything is written.
"""

from collections.abc import Iterable
from typing import Any

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_text

THREAD_MAX = 255  # thread ids, namespaces, channels and run ids
ID_MAX = 64  # checkpoint and task ids (LangGraph writes UUIDs: 36 characters)
PRUNE_STRATEGIES = ("keep_latest", "delete")


def check_thread_id(value: Any, name: str = "thread_id") -> str:
    return check_text(name, value, max_length=THREAD_MAX, empty=False)


def check_namespace(value: Any) -> str:
    return check_text("checkpoint_ns", value, max_length=THREAD_MAX)


def check_graph_id(name: str, value: Any) -> str:
    return check_text(name, value, max_length=ID_MAX, empty=False)


def check_channel(value: Any) -> str:
    return check_text("channel", value, max_length=THREAD_MAX, empty=False)


def check_run_id(value: Any) -> str:
    return check_text("run_id", value, max_length=THREAD_MAX, empty=False)


def check_thread_ids(values: Any) -> list[str]:
    """A collection of thread ids (a lone string is refused: it would be read letter by letter)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(f"thread_ids must be a list of thread ids, got {type(values).__name__}")
    return [check_thread_id(value) for value in values]


def check_strategy(value: Any) -> str:
    if value not in PRUNE_STRATEGIES:
        raise InvalidInput(f"unknown prune strategy {value!r}; known: {', '.join(PRUNE_STRATEGIES)}")
    return value
