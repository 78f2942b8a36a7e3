"""The sized LangGraph workloads (`memcore bench --workload langgraph_saver,langgraph_store --sizes ...`).

The saver: `rows` checkpoints over threads of 100; timed, a put onto a thread, a thread's latest
(`get_tuple`) and its last ten (`list`). The store: `rows` items over namespaces of 100; timed, a
put, a get, and a namespace's top 10 with a filter. The bulk rows are made by the adapters' own
row builders (the saver's put and the store's plan) and written with `Database.execute_many`,
50,000 rows a transaction: the same rows as one-by-one puts, without a round trip each.
"""

import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.base.id import uuid6

from memcore.infrastructure.bench.sizes import CHUNK, OPS, SizedWorkload
from memcore.infrastructure.bench.sizes_more import Operations
from memcore.integrations.langgraph.saver import MemcoreSaver
from memcore.integrations.langgraph.store import MemcoreStore
from memcore.integrations.langgraph.store_checks import check_put

PER_GROUP = 100  # checkpoints a thread, items a namespace
MESSAGE = {"role": "user", "content": "Plan step 1 of my week"}
WORDS = ("tea", "coffee", "travel", "garden", "music")


def _thread(t: int) -> str:
    return f"bench-sized-{t}"


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}


def _checkpoint(i: int) -> dict[str, Any]:
    checkpoint = empty_checkpoint()
    checkpoint["id"] = str(uuid6(clock_seq=i))
    checkpoint["channel_values"] = {"messages": [MESSAGE], "step": i}
    checkpoint["channel_versions"] = {"messages": i + 1, "step": i + 1}
    return checkpoint


def _chunks(rows: Iterator[Any]) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


class SaverAtSize(SizedWorkload):
    table = "langgraph_checkpoints"

    @property
    def groups(self) -> int:
        return max(1, -(-self.rows // PER_GROUP))

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.saver = MemcoreSaver(self.settings.url)
        stack.callback(self.saver.close)

    def _clear(self) -> None:
        self._run("DELETE FROM langgraph_writes WHERE thread_id LIKE 'bench-sized-%'",
                  "DELETE FROM langgraph_checkpoints WHERE thread_id LIKE 'bench-sized-%'")  # fmt: skip

    def _rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(statement, parameters) of each checkpoint, as the saver's put builds them."""
        for i in range(self.rows):
            t, k = divmod(i, PER_GROUP)
            metadata = {"source": "loop", "step": k, "run_id": "bench"}
            op = self.saver._put(_config(_thread(t)), _checkpoint(i), metadata, {"messages": i + 1})
            call = next(op)
            yield call.sql, call.params

    def load(self) -> float:
        import time

        start = time.perf_counter()
        self._clear()
        loaded = 0
        for chunk in _chunks(self._rows()):
            with self.saver.db.transaction():
                loaded += self.saver.db.execute_many(chunk[0][0], [params for _, params in chunk])
        self._analyze(self.table)
        self.loaded = loaded
        return time.perf_counter() - start

    def operations(self) -> Operations:
        saver, n = self.saver, self.groups
        puts = [(_config(_thread(i * 104_729 % n)), _checkpoint(self.rows + i)) for i in range(OPS)]
        threads = [_config(_thread(i * 7919 % n)) for i in range(OPS)]
        metadata = {"source": "loop", "step": 0, "run_id": "bench"}
        return {
            "put": (lambda p: saver.put(p[0], p[1], metadata, {"messages": 1}), puts),
            "get_tuple": (saver.get_tuple, threads),
            "list_10": (lambda config: list(saver.list(config, limit=10)), threads),
        }


class StoreAtSize(SizedWorkload):
    table = "langgraph_store"

    @property
    def groups(self) -> int:
        return max(1, -(-self.rows // PER_GROUP))

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.store = MemcoreStore(self.settings.url)
        stack.callback(self.store.close)

    def _clear(self) -> None:
        # The search rows go with the items: a cascading foreign key or a trigger.
        self._run("DELETE FROM langgraph_store WHERE namespace LIKE 'bench-sized.%'")

    @staticmethod
    def namespace(g: int) -> tuple[str, str]:
        return ("bench-sized", f"user{g}")

    @staticmethod
    def value(i: int) -> dict[str, Any]:
        return {"score": i % 100, "kind": "note" if i % 2 else "fact", "text": f"likes {WORDS[i % 5]} #{i}"}

    def _rows(self) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """The statements of each item's put, as the store's plan builds them."""
        plan, now = self.store.table.plan, datetime(2024, 1, 1, tzinfo=UTC)
        for i in range(self.rows):
            g, k = divmod(i, PER_GROUP)
            joined, key, _, text = check_put(self.namespace(g), f"item-{k}", self.value(i), None)
            yield plan.upsert(joined, key, text, now, None, None)

    def load(self) -> float:
        import time

        start = time.perf_counter()
        self._clear()
        db, loaded = self.store.db, 0
        for chunk in _chunks(self._rows()):
            by_sql: dict[str, list[dict[str, Any]]] = {}
            for statements in chunk:
                for sql, params in statements:
                    by_sql.setdefault(sql, []).append(params)
            with db.transaction():
                for n, (sql, rows) in enumerate(by_sql.items()):
                    done = db.execute_many(sql, rows)
                    loaded += done if n == 0 else 0
        self._analyze(self.table)
        self.loaded = loaded
        return time.perf_counter() - start

    def operations(self) -> Operations:
        store, n = self.store, self.groups
        puts = [(self.namespace(i * 104_729 % n), f"new-{i}", self.value(i)) for i in range(OPS)]
        gets = [(self.namespace(i * 7919 % n), f"item-{i % PER_GROUP}") for i in range(OPS)]
        where = [self.namespace(i * 7919 % n) for i in range(OPS)]
        return {
            "put": (lambda p: store.put(*p), puts),
            "get": (lambda p: store.get(*p), gets),
            "search_filter": (lambda ns: store.search(ns, filter={"kind": "note"}, limit=10), where),
        }


SIZED: dict[str, type[SizedWorkload]] = {"langgraph_saver": SaverAtSize, "langgraph_store": StoreAtSize}
