"""memcore as a LangGraph backend: checkpointers (`MemcoreSaver`, `AsyncMemcoreSaver`) and stores (`*Store`).

    from memcore.integrations.langgraph import MemcoreSaver

    with MemcoreSaver.from_conn_string("sqlite:///agent.db") as saver:
        saver.setup()                                   # runs memcore's migrations
        graph = builder.compile(checkpointer=saver)

Needs the extra: `pip install memcore[langgraph]`.
"""

try:
    import langgraph.checkpoint.base  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by a test in a subprocess
    raise ImportError(
        "memcore.integrations.langgraph needs LangGraph, which is not installed: pip install memcore[langgraph]"
    ) from exc

from memcore.integrations.langgraph.aio import AsyncMemcoreSaver
from memcore.integrations.langgraph.saver import MemcoreSaver
from memcore.integrations.langgraph.store import MemcoreStore
from memcore.integrations.langgraph.store_async import AsyncMemcoreStore

__all__ = ["AsyncMemcoreSaver", "AsyncMemcoreStore", "MemcoreSaver", "MemcoreStore"]
