"""The "langgraph" bench workload: memcore's savers side by side with LangGraph's own, one database.

`memcore bench --workload langgraph --url URL` times each saver operation (put, put_writes,
get_tuple of the latest checkpoint, list of the last ten), then the store's (bench_store.py), for
`MemcoreSaver` ("ours") and for
LangGraph's peer ("raw"): `SqliteSaver` on a sibling SQLite file, `PostgresSaver` on the same
server and database (its tables in a schema of their own, dropped afterwards). LangGraph has no
MariaDB/MySQL saver: there both sides are memcore's, so the row gives memcore's throughput only.
Rounds alternate which side runs first (harness.py); each round starts from empty threads.
"""

import os
import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, empty_checkpoint
from langgraph.checkpoint.base.id import uuid6
from sqlalchemy.engine import make_url

from memcore.infrastructure.bench.phase import Phase, Target
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.integrations.langgraph.bench_async import SIDES as ASYNC_SIDES
from memcore.integrations.langgraph.bench_async import AsyncSides
from memcore.integrations.langgraph.bench_store import StoreSides
from memcore.integrations.langgraph.saver import MemcoreSaver

DEFAULT_ROWS = 2_000
THREADS = 20
PEER_SCHEMA = "memcore_bench_langgraph"
TARGET = Target("pct_of_raw", 150.0)  # issue 17: at least 1.5x the LangGraph peer's throughput
MESSAGES = [{"role": "user", "content": f"Plan step {i} of my week ✨"} for i in range(5)]


def _thread(i: int, side: str = "ours") -> str:
    """Each side's threads are its own (on MariaDB both sides share the tables)."""
    return f"bench-{side}-{i % THREADS}"


def _config(thread: str, checkpoint_id: str | None = None) -> dict[str, Any]:
    configurable = {"thread_id": thread, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _checkpoint(i: int) -> dict[str, Any]:
    checkpoint = empty_checkpoint()
    checkpoint["id"] = str(uuid6(clock_seq=i))
    checkpoint["channel_values"] = {"messages": MESSAGES, "step": i}
    checkpoint["channel_versions"] = {"messages": i + 1, "step": i + 1}
    checkpoint["versions_seen"] = {"agent": {"messages": i}}
    return checkpoint


class LanggraphWorkload(BenchWorkload):
    """The savers' operations; `rows` checkpoints are put per round, over THREADS threads."""

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        foreign = "langgraph_checkpoints WHERE thread_id NOT LIKE 'bench-%'"
        self._refuse_foreign_rows({"graph checkpoints": foreign}, "the bench threads of langgraph_checkpoints")
        self.ours = MemcoreSaver(self.settings.url)
        stack.callback(self.ours.close)
        self.peer, self.peer_name = self._open_peer(stack)
        self.checkpoints = [_checkpoint(i) for i in range(self.rows)]
        foreign = "langgraph_store WHERE namespace NOT LIKE 'bench-%'"
        self._refuse_foreign_rows({"store items": foreign}, "the bench namespaces of langgraph_store")
        peer_path = self.peer_path if self.backend == "sqlite" else None
        peer_schema = PEER_SCHEMA if self.backend == "postgresql" else None
        self.stores = StoreSides(self, stack, peer_path, peer_schema)
        self.asyncs = AsyncSides(self, stack, peer_path, peer_schema)
        self.thread, self.config = _thread, _config  # for the async and store halves

    def _open_peer(self, stack: ExitStack) -> tuple[BaseCheckpointSaver, str]:
        if self.backend == "sqlite":
            from langgraph.checkpoint.sqlite import SqliteSaver

            self.peer_path = path = f"{make_url(self.settings.url).database}.langgraph-peer"
            _remove_sqlite(path)
            stack.callback(_remove_sqlite, path)
            conn = sqlite3.connect(path, check_same_thread=False)
            stack.callback(conn.close)
            saver = SqliteSaver(conn)
            saver.setup()
            return saver, "LangGraph SqliteSaver (sibling file)"
        if self.backend == "postgresql":
            return self._open_postgres_peer(stack), "LangGraph PostgresSaver (same database)"
        return MemcoreSaver(self.ours.db), "memcore again: LangGraph has no MariaDB/MySQL saver"

    def _open_postgres_peer(self, stack: ExitStack) -> BaseCheckpointSaver:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import dict_row

        self._run(f"DROP SCHEMA IF EXISTS {PEER_SCHEMA} CASCADE", f"CREATE SCHEMA {PEER_SCHEMA}")
        stack.callback(self._run, f"DROP SCHEMA IF EXISTS {PEER_SCHEMA} CASCADE")
        url = make_url(self.settings.url).set(drivername="postgresql")
        conn = Connection.connect(
            url.render_as_string(hide_password=False),
            autocommit=True,
            prepare_threshold=0,
            row_factory=dict_row,
            options=f"-c search_path={PEER_SCHEMA}",
        )  # fmt: skip  (as PostgresSaver.from_conn_string connects, plus the schema)
        stack.callback(conn.close)
        saver = PostgresSaver(conn)
        saver.setup()
        return saver

    def _clear(self) -> None:
        # The async savers of each side write the sync ones' tables: cleared through those.
        for side, saver in (("ours", self.ours), ("raw", self.peer)):
            for i in range(THREADS):
                saver.delete_thread(_thread(i, side))
                saver.delete_thread(_thread(i, ASYNC_SIDES[side]))
        self.stores.clear()

    def phases(self) -> Sequence[Phase]:
        note, lists = f"raw = {self.peer_name}", max(1, self.rows // 10)
        sides = {"ours": self.ours, "raw": self.peer}

        def phase(name: str, ops: int, work: Any) -> Phase:
            return Phase(name, ops, lambda: work(sides["ours"], "ours"), lambda: work(sides["raw"], "raw"),
                         target=TARGET, note=note)  # fmt: skip

        return [
            phase("put", self.rows, self._put),
            phase("put_writes", self.rows, self._put_writes),
            phase("get_tuple", self.rows, self._get),
            phase("list", lists, lambda saver, side: self._list(saver, side, lists)),
            *self.asyncs.phases(self, TARGET),
            *self.stores.phases(TARGET),
        ]

    def _put(self, saver: BaseCheckpointSaver, side: str) -> tuple[int, str]:
        parents: dict[str, dict[str, Any]] = {}
        for i, checkpoint in enumerate(self.checkpoints):
            thread = _thread(i, side)
            config = parents.get(thread) or _config(thread)
            versions = {"messages": i + 1, "step": i + 1}
            parents[thread] = saver.put(config, checkpoint, {"source": "loop", "step": i, "run_id": "bench"}, versions)
        return self.rows, parents[_thread(0, side)]["configurable"]["checkpoint_id"]

    def _put_writes(self, saver: BaseCheckpointSaver, side: str) -> int:
        """Two writes of one task on each checkpoint, as a step's task leaves them."""
        for i, checkpoint in enumerate(self.checkpoints):
            config = _config(_thread(i, side), checkpoint["id"])
            saver.put_writes(config, [("messages", MESSAGES[:1]), ("step", i)], str(uuid.UUID(int=i)))
        return self.rows

    def _get(self, saver: BaseCheckpointSaver, side: str) -> int:
        found = sum(saver.get_tuple(_config(_thread(i, side))) is not None for i in range(self.rows))
        if found != self.rows:
            raise AssertionError(f"get_tuple found {found} of {self.rows} checkpoints")
        return found

    def _list(self, saver: BaseCheckpointSaver, side: str, lists: int) -> int:
        return sum(len(list(saver.list(_config(_thread(i, side)), limit=10))) for i in range(lists))


def _remove_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
