"""MemcoreStore: LangGraph's long-term `BaseStore` on memcore's database (table `langgraph_store`).

    with MemcoreStore.from_conn_string("postgresql://app@db/app") as store:
        store.setup()
        store.put(("users", "ann"), "prefs", {"lang": "en", "score": 7}, ttl=60)
        store.search(("users",), filter={"score": {"$gte": 5}})

Namespaces are tuples of labels (not empty, without "." or NUL), stored joined by "."; values are
JSON objects. A batch is checked whole, then runs in one transaction (unless it writes with one
statement at most): bad input writes nothing.
TTL: `ttl` minutes on put, refreshed by reads (unless told not to), expired items are invisible at
once and `sweep()` deletes them (`start_ttl_sweeper()` runs it on a thread, sweeper.py).
`filter` (filters.py) runs in SQL (filter_sql.py), typed alike on every adapter and in memory.
`query=` goes through the dialect's own full-text index over the
documents' strings (search.py: FTS5, tsvector, InnoDB FULLTEXT): every word must occur, results
are ranked best first (bm25, ts_rank, InnoDB relevance; only the set of matches agrees across
engines; "memory://" matches with domain.memory.text's words). With an `index` config (`dims`,
`embed`, `fields`), `query=` ranks by embeddings instead, exactly (vectors.py). Checks:
store_checks.py; where the items live: store_tables.py.
"""

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from langgraph.store.base import (
    NOT_PROVIDED,
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    MatchCondition,
    NotProvided,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

from memcore.domain.memory.text import query_words
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.app import Memcore
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.integrations.langgraph.base import migrate_to_head
from memcore.integrations.langgraph.filters import matches
from memcore.integrations.langgraph.store_checks import check_key, check_namespace, check_op, check_put, check_search
from memcore.integrations.langgraph.store_faces import TypedFaces
from memcore.integrations.langgraph.store_plan import ALL_CANDIDATES
from memcore.integrations.langgraph.store_tables import InMemoryStoreTable, Row, SqlStoreTable
from memcore.integrations.langgraph.sweeper import Sweeper
from memcore.integrations.langgraph.vectors import VectorIndex, Vectors, rank

__all__ = ["MemcoreStore"]

IN_MEMORY = "memory://"


def _now() -> datetime:
    return datetime.now(UTC)


class MemcoreStore(TypedFaces, BaseStore):
    """A `BaseStore` on SQLite, PostgreSQL, MariaDB/MySQL or in memory ("memory://"), with TTL."""

    supports_ttl = True

    def __init__(
        self,
        conn: str | Database | Memcore,
        *,
        ttl: TTLConfig | None = None,
        index: IndexConfig | None = None,
        clock: Callable[[], datetime] = _now,
        **options: Any,
    ) -> None:
        self.index = None if index is None else VectorIndex(index)
        self._owned = isinstance(conn, str)
        self.db: Database | None = None
        if isinstance(conn, Memcore):  # the application's database (or, in memory, a store of its own)
            conn = IN_MEMORY if conn.in_memory else conn.database
        if conn == IN_MEMORY:
            self.table: InMemoryStoreTable | SqlStoreTable = InMemoryStoreTable()
        elif isinstance(conn, str | Database):
            self.db = Database(conn, **options) if isinstance(conn, str) else conn
            self.table = SqlStoreTable(self.db)
        else:
            needs = f"a database URL, {IN_MEMORY!r}, a memcore application or a Database"
            raise InvalidInput(f"MemcoreStore needs {needs}, not {conn!r}")
        self.ttl_config = ttl
        self.clock = clock
        self._sweeper = Sweeper()

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, url: str, *, ttl: TTLConfig | None = None, index: IndexConfig | None = None, **options: Any
    ) -> Iterator[Self]:
        store = cls(url, ttl=ttl, index=index, **options)
        try:
            yield store
        finally:
            store.close()

    def setup(self) -> None:
        """Bring memcore's schema (this table included) to the newest migration."""
        if self.db is not None:
            migrate_to_head(self.db.settings.url)

    def close(self) -> None:
        self._sweeper.stop(None)
        self.table.close()
        if self._owned and self.db is not None:
            self.db.close()

    # -- BaseStore

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        checked = [self._check(op) for op in ops]  # all of them first: a bad op writes nothing
        now = self.clock()
        # One write statement is atomic alone: a transaction only for more (a put on MariaDB writes two).
        if sum(isinstance(op, PutOp) for op in ops) * self._per_put() <= 1:
            return [self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]
        with self.table.transaction():
            return [self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await asyncio.to_thread(self.batch, list(ops))

    # One operation alone runs without a batch around it (same checks, same table calls).

    def get(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        joined = check_namespace(namespace)
        checked = check_key(key if type(key) is str else str(key))
        now = self.clock()
        row = self.table.get(joined, checked, now)
        if row is None:
            return None
        if row[6] is not None and self._refresh(refresh_ttl):
            self._touch([row], now)
        return _item(row, namespace)

    def put(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Any = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        if ttl is NOT_PROVIDED:
            ttl = self.ttl_config.get("default_ttl") if self.ttl_config else None
        joined, checked, minutes, text = check_put(namespace, key if type(key) is str else str(key), value, ttl)
        if self.index is None:
            self._write(joined, checked, minutes, text, self.clock())
            return
        vectors = self._embed(value, index, text)
        with self.table.transaction():  # the item and its vectors together
            self._write(joined, checked, minutes, text, self.clock(), vectors)

    def search(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        prefix = check_search(namespace_prefix, query, filter, limit, offset)
        op = SearchOp(namespace_prefix, filter, limit, offset, query, refresh_ttl)
        return self._search(op, prefix, self.clock())

    def sweep(self) -> int:
        """Delete the expired items; how many there were."""
        return self.table.sweep(self.clock())

    def sweep_ttl(self) -> int:
        """LangGraph's name for `sweep`."""
        return self.sweep()

    def start_ttl_sweeper(self, sweep_interval_minutes: float | None = None) -> "Future[None]":
        """Sweep every `sweep_interval_minutes` (else the TTL config's, else 5) on a daemon thread
        until `stop_ttl_sweeper`; the future completes when the thread ends. Started twice, the
        running sweeper's future is returned."""
        return self._sweeper.start(self, sweep_interval_minutes)

    def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper; whether it ended within `timeout` seconds (True when none runs)."""
        return self._sweeper.stop(timeout)

    # -- checking

    def _check(self, op: Op) -> Any:
        extra = check_op(op)
        if self.index is not None and isinstance(op, PutOp):
            return (*extra, self._embed(op.value, op.index, extra[3]))
        return extra

    def _per_put(self) -> int:
        return self.table.statements_per_put + (0 if self.index is None else 2)

    def _embed(self, value: Any, index: Any, text: str | None) -> Vectors | None:
        """The put's vectors (None: a delete, whose vectors go with the item)."""
        if text is None or self.index is None:
            return None
        texts = self.index.texts(value, index)
        if not texts:
            return []
        embedded = self.index.embeddings.embed_documents([t for _, t in texts])
        return self.index.pack([field for field, _ in texts], embedded)

    # -- running

    def _run(self, op: Op, extra: Any, now: datetime) -> Result:
        if isinstance(op, GetOp):
            row = self.table.get(*extra, now)
            if row is not None and self._refresh(op.refresh_ttl):
                self._touch([row], now)
            return None if row is None else _item(row)
        if isinstance(op, PutOp):
            self._write(*extra[:4], now, *extra[4:])
            return None
        if isinstance(op, SearchOp):
            return self._search(op, extra, now)
        return self._namespaces(op, now)

    def _write(
        self, namespace: str, key: str, ttl: float | None, text: str | None, now: datetime, vectors: Any = None
    ) -> None:
        if text is None:
            self.table.delete(namespace, key)
            return
        expires = None if ttl is None else now + timedelta(minutes=ttl)
        self.table.upsert(namespace, key, text, now, expires, ttl)
        if self.index is not None:
            self.table.write_vectors(namespace, key, vectors or [])

    def _refresh(self, asked: bool | None) -> bool:
        if asked is not None:
            return asked
        return True if self.ttl_config is None else self.ttl_config.get("refresh_on_read", True)

    def _touch(self, rows: list[Row], now: datetime) -> None:
        refreshed = refreshed_expiries(rows, now)
        if refreshed:
            self.table.touch(refreshed)

    def _search(self, op: SearchOp, prefix: str, now: datetime) -> list[SearchItem]:
        words = [] if self.index is not None else query_words(op.query)
        if op.query and self.index is not None:
            query = self.index.query(self.index.embeddings.embed_query(op.query))
            rows = self.table.filtered(prefix, now, op.filter, ALL_CANDIDATES)
            rows, scores = rank(self.index, query, rows, self.table.vectors_of(rows))
        elif words:
            rows, scores = self.table.text(prefix, now, words)
        else:
            rows = self.table.filtered(prefix, now, op.filter, op.offset + op.limit)
            scores = [None] * len(rows)
        rows, scores = search_page(op, bool(words), rows, scores)
        if rows and self._refresh(op.refresh_ttl):
            self._touch(rows, now)
        return [_search_item(row, score) for row, score in zip(rows, scores, strict=True)]

    def _namespaces(self, op: ListNamespacesOp, now: datetime) -> list[tuple[str, ...]]:
        return namespace_page(op, self.table.namespaces(now))


def refreshed_expiries(rows: list[Row], now: datetime) -> list[tuple[str, str, datetime]]:
    """(namespace, key, new expiry) of the rows read that have a TTL."""
    return [(row[0], row[1], now + timedelta(minutes=row[6])) for row in rows if row[6] is not None]


def search_page(op: SearchOp, ranked: bool, rows: list[Row], scores: list[Any]) -> tuple[list[Row], list[Any]]:
    """The page asked for; text matches (`ranked`) are filtered here, the rest were in SQL."""
    if ranked and op.filter:
        kept = [i for i, row in enumerate(rows) if matches(row[2], op.filter)]
        rows, scores = [rows[i] for i in kept], [scores[i] for i in kept]
    page = slice(op.offset, op.offset + op.limit)
    return rows[page], scores[page]


def namespace_page(op: ListNamespacesOp, stored: Iterable[str]) -> list[tuple[str, ...]]:
    """The namespaces `op` asks for among the stored (joined) ones."""
    found = {tuple(namespace.split(".")) for namespace in stored}
    found = {ns for ns in found if all(_matches(condition, ns) for condition in op.match_conditions or ())}
    if op.max_depth is not None:
        found = {ns[: op.max_depth] for ns in found}
    return sorted(found)[op.offset : op.offset + op.limit]


def _matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    part = namespace[: len(path)] if condition.match_type == "prefix" else namespace[len(namespace) - len(path) :]
    return all(want == "*" or want == got for want, got in zip(path, part, strict=True))


def _item(row: Row, namespace: tuple[str, ...] | None = None) -> Item:
    labels = tuple(row[0].split(".")) if namespace is None else namespace
    return Item(value=row[2], key=row[1], namespace=labels, created_at=row[3], updated_at=row[4])


def _search_item(row: Row, score: float | None) -> SearchItem:
    return SearchItem(tuple(row[0].split(".")), row[1], row[2], row[3], row[4], score)
