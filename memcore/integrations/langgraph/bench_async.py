"""The asyncio half of the "langgraph" bench workload: AsyncMemcoreSaver beside LangGraph's async savers.

`async_put` and `async_get_tuple`, each awaited one after another on one event loop, against
`AsyncSqliteSaver` (aiosqlite, the sibling file) or `AsyncPostgresSaver` (psycopg's async
connection, the bench schema); on MariaDB both sides are memcore's.
"""

import asyncio
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from memcore.infrastructure.bench.phase import Phase, Target
from memcore.integrations.langgraph.aio import AsyncMemcoreSaver

SIDES = {"ours": "async-ours", "raw": "async-raw"}  # thread name prefixes of each side


async def _on_loop(make: Callable[..., Any], *args: Any) -> Any:
    """`make(*args)` on the running loop (LangGraph's async savers take the loop they are built on)."""
    return make(*args)


class AsyncSides:
    def __init__(self, workload: Any, stack: ExitStack, peer_path: str | None, peer_schema: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        stack.callback(self.loop.close)
        run = self.loop.run_until_complete
        self.ours = AsyncMemcoreSaver(workload.settings.url)
        stack.callback(lambda: run(self.ours.aclose()))
        self.peer: BaseCheckpointSaver
        if peer_path is not None:
            import aiosqlite
            from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

            conn = run(aiosqlite.connect(peer_path))
            stack.callback(lambda: run(conn.close()))
            self.peer, self.peer_name = (
                run(_on_loop(AsyncSqliteSaver, conn)),
                "LangGraph AsyncSqliteSaver (sibling file)",
            )
            run(self.peer.setup())
        elif peer_schema is not None:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
            from psycopg import AsyncConnection
            from psycopg.rows import dict_row
            from sqlalchemy.engine import make_url

            url = make_url(workload.settings.url).set(drivername="postgresql").render_as_string(hide_password=False)
            conn = run(AsyncConnection.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row,
                                               options=f"-c search_path={peer_schema}"))  # fmt: skip
            stack.callback(lambda: run(conn.close()))
            self.peer, self.peer_name = run(_on_loop(AsyncPostgresSaver, conn)), "LangGraph AsyncPostgresSaver"
            run(self.peer.setup())
        else:
            self.peer, self.peer_name = AsyncMemcoreSaver(self.ours.db), "memcore again: no LangGraph MariaDB saver"

    def phases(self, workload: Any, target: Target) -> list[Phase]:
        sides = {"ours": self.ours, "raw": self.peer}
        note = f"raw = {self.peer_name}"

        def phase(name: str, work: Callable[[BaseCheckpointSaver, str], Any]) -> Phase:
            def side(which: str) -> Callable[[], Any]:
                return lambda: self.loop.run_until_complete(work(sides[which], SIDES[which]))

            return Phase(name, workload.rows, side("ours"), side("raw"), target=target, note=note)

        return [phase("async_put", lambda saver, side: self._put(workload, saver, side)),
                phase("async_get_tuple", lambda saver, side: self._get(workload, saver, side))]  # fmt: skip

    async def _put(self, workload: Any, saver: BaseCheckpointSaver, side: str) -> int:
        parents: dict[str, Any] = {}
        for i, checkpoint in enumerate(workload.checkpoints):
            thread = workload.thread(i, side)
            config = parents.get(thread) or workload.config(thread)
            parents[thread] = await saver.aput(config, checkpoint, {"source": "loop", "step": i}, {"step": i + 1})
        return workload.rows

    async def _get(self, workload: Any, saver: BaseCheckpointSaver, side: str) -> int:
        found = 0
        for i in range(workload.rows):
            found += await saver.aget_tuple(workload.config(workload.thread(i, side))) is not None
        if found != workload.rows:
            raise AssertionError(f"aget_tuple found {found} of {workload.rows} checkpoints")
        return found
