"""The store half of the "langgraph" bench workload: MemcoreStore beside LangGraph's own stores.

Phases: put, get, and search with a metadata filter, `rows` items over 20 namespaces. The peer is
`SqliteStore` (the saver's sibling file) or `PostgresStore` (the bench schema of the same
database); on MariaDB both sides are memcore's. A text query has no peer: LangGraph's stores search
text only through an embedding index, so `store_search_text` times memcore alone (raw = memcore).
"""

import sqlite3
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from langgraph.store.base import BaseStore

from memcore.infrastructure.bench.phase import Phase, Target
from memcore.integrations.langgraph.store import MemcoreStore

NAMESPACES = 20
WORDS = ("tea", "coffee", "travel", "garden", "music")


def _namespace(i: int, side: str) -> tuple[str, str]:
    return (f"bench-{side}", f"user{i % NAMESPACES}")


def _value(i: int) -> dict[str, Any]:
    return {"score": i % 100, "kind": "note" if i % 2 else "fact", "text": f"likes {WORDS[i % len(WORDS)]} #{i}"}


class StoreSides:
    """Both stores of the bench and what clears them between rounds."""

    def __init__(self, workload: Any, stack: ExitStack, peer_path: str | None, peer_schema: str | None) -> None:
        self.rows = workload.rows
        self.ours = MemcoreStore(workload.settings.url)
        stack.callback(self.ours.close)
        self.peer: BaseStore
        self._clear_peer: Callable[[], None]
        if peer_path is not None:
            from langgraph.store.sqlite import SqliteStore

            conn = sqlite3.connect(peer_path, check_same_thread=False, isolation_level=None)
            stack.callback(conn.close)
            self.peer, self.peer_name = SqliteStore(conn), "LangGraph SqliteStore (sibling file)"
            self.peer.setup()
            self._clear_peer = lambda: conn.execute("DELETE FROM store") and None
        elif peer_schema is not None:
            self.peer, self.peer_name = self._postgres(workload, stack, peer_schema), "LangGraph PostgresStore"
        else:
            self.peer, self.peer_name = MemcoreStore(self.ours.db), "memcore again: no LangGraph MariaDB store"
            self._clear_peer = lambda: None  # its rows are the "bench-raw" namespaces, cleared with ours

    def _postgres(self, workload: Any, stack: ExitStack, schema: str) -> BaseStore:
        from langgraph.store.postgres import PostgresStore
        from psycopg import Connection
        from psycopg.rows import dict_row
        from sqlalchemy.engine import make_url

        url = make_url(workload.settings.url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = Connection.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row,
                                  options=f"-c search_path={schema}")  # fmt: skip
        stack.callback(conn.close)
        store = PostgresStore(conn)
        store.setup()
        self._clear_peer = lambda: conn.execute("DELETE FROM store") and None
        return store

    def clear(self) -> None:
        self.ours.db.execute("DELETE FROM langgraph_store WHERE namespace LIKE 'bench-%'")
        self._clear_peer()

    def phases(self, target: Target) -> list[Phase]:
        sides = {"ours": self.ours, "raw": self.peer}
        searches = max(1, self.rows // 10)
        note = f"raw = {self.peer_name}"

        def phase(name: str, ops: int, work: Callable[[BaseStore, str], Any], **extra: Any) -> Phase:
            return Phase(name, ops, lambda: work(sides["ours"], "ours"), lambda: work(sides["raw"], "raw"),
                         target=extra.get("target", target), note=extra.get("note", note))  # fmt: skip

        return [
            phase("store_put", self.rows, self._put),
            phase("store_get", self.rows, self._get),
            phase("store_search_filter", searches, lambda store, side: self._filter(store, side, searches)),
            Phase("store_search_text", searches, lambda: self._text(self.ours, "ours", searches),
                  lambda: self._text(self.ours, "ours", searches), note="memcore alone: no peer without embeddings"),
        ]  # fmt: skip

    def _put(self, store: BaseStore, side: str) -> int:
        for i in range(self.rows):
            store.put(_namespace(i, side), f"item{i}", _value(i))
        return self.rows

    def _get(self, store: BaseStore, side: str) -> int:
        found = sum(store.get(_namespace(i, side), f"item{i}") is not None for i in range(self.rows))
        if found != self.rows:
            raise AssertionError(f"store get found {found} of {self.rows} items")
        return found

    def _filter(self, store: BaseStore, side: str, searches: int) -> int:
        wanted = {"kind": "note", "score": {"$gte": 50}}
        return sum(len(store.search(_namespace(i, side), filter=wanted, limit=10)) for i in range(searches))

    def _text(self, store: BaseStore, side: str, searches: int) -> int:
        return sum(
            len(store.search((f"bench-{side}",), query=WORDS[i % len(WORDS)], limit=10)) for i in range(searches)
        )
