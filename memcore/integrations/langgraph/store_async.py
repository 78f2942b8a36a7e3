"""AsyncMemcoreStore: MemcoreStore's asyncio twin on memcore's `AsyncDatabase` (no worker thread).

    async with AsyncMemcoreStore.from_conn_string("postgresql://app@db/app") as store:
        await store.setup()
        await store.aput(("users", "ann"), "prefs", {"lang": "en"}, ttl=60)

The same checks, SQL (store_plan.py) and semantics as MemcoreStore, sent through asyncpg,
aiosqlite or asyncmy; "memory://" runs on the in-memory table. The TTL sweeper is an asyncio task.
The sync methods, called from another thread, run the async ones on the store's event loop.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Self

from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

from memcore.domain.memory.text import query_words
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.integrations.langgraph.base import migrate_to_head
from memcore.integrations.langgraph.store import (
    IN_MEMORY,
    _item,
    _now,
    _search_item,
    namespace_page,
    refreshed_expiries,
    search_page,
)
from memcore.integrations.langgraph.store_checks import check_op
from memcore.integrations.langgraph.store_faces import TypedFaces
from memcore.integrations.langgraph.store_plan import (
    ALL_CANDIDATES,
    DELETE,
    DELETE_VECTORS,
    INSERT_VECTOR,
    NAMESPACES,
    SWEEP,
    TOUCH,
    VECTORS_OF,
    Filter,
    Row,
    StorePlan,
    item_id,
)
from memcore.integrations.langgraph.store_tables import InMemoryStoreTable, keep_filtered
from memcore.integrations.langgraph.sweeper import DEFAULT_MINUTES
from memcore.integrations.langgraph.vectors import VectorIndex, Vectors, rank

__all__ = ["AsyncMemcoreStore"]
log = logging.getLogger(__name__)


class AsyncSqlStoreTable:
    """`langgraph_store` through an `AsyncDatabase`: the sync table's calls, awaitable."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self.plan = StorePlan(db.dialect, db.sqlalchemy_dialect)
        self.statements_per_put = self.plan.statements_per_put

    def transaction(self) -> Any:
        return self.db.transaction()

    async def _fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in await self.db.fetch_all(sql, params)]

    async def get(self, namespace: str, key: str, now: datetime) -> Row | None:
        return self.plan.live(await self._fetch(*self.plan.get(namespace, key)), now)

    async def upsert(self, namespace: str, key: str, text: str, now: datetime, expires: Any, ttl: Any) -> None:
        for sql, params in self.plan.upsert(namespace, key, text, now, expires, ttl):
            await self.db.execute(sql, params)

    async def delete(self, namespace: str, key: str) -> None:
        await self.db.execute(DELETE, {"id": item_id(namespace, key)})

    async def touch(self, refreshed: list[tuple[str, str, datetime]]) -> None:
        await self.db.execute_many(TOUCH, self.plan.touch_rows(refreshed))

    async def write_vectors(self, namespace: str, key: str, vectors: list[tuple[str, bytes]]) -> None:
        await self.db.execute(DELETE_VECTORS, {"id": item_id(namespace, key)})
        if vectors:
            await self.db.execute_many(INSERT_VECTOR, self.plan.vector_rows(namespace, key, vectors))

    async def vectors_of(self, rows: list[Row]) -> dict[tuple[str, str], list[bytes]]:
        ids = [item_id(row[0], row[1]) for row in rows]
        found = []
        for at in range(0, len(ids), 500):
            found.extend(await self._fetch(VECTORS_OF, {"ids": ids[at : at + 500]}))
        return self.plan.vectors_found(rows, found)

    async def filtered(self, prefix: str, now: datetime, filter: Filter, first: int) -> list[Row]:
        sql, params, exact = self.plan.filtered(prefix, now, filter, first)
        return keep_filtered(self.plan, await self._fetch(sql, params), filter, exact, first)

    async def text(self, prefix: str, now: datetime, query: list[str]) -> tuple[list[Row], list[float]]:
        planned = self.plan.text(prefix, now, query)
        return ([], []) if planned is None else self.plan.decode_text(await self._fetch(*planned))

    async def namespaces(self, now: datetime) -> list[str]:
        return sorted(row[0] for row in await self._fetch(NAMESPACES, {"now": self.plan.time(now)}))

    async def sweep(self, now: datetime) -> int:
        return await self.db.execute(SWEEP, {"now": self.plan.time(now)})

    async def close(self) -> None:
        pass


class AsyncMemoryTable:
    """The in-memory table behind awaitable calls (nothing in it waits)."""

    def __init__(self) -> None:
        self.inner = InMemoryStoreTable()
        self.statements_per_put = 1

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        with self.inner.transaction():
            yield

    def __getattr__(self, name: str) -> Callable[..., Any]:
        call = getattr(self.inner, name)

        async def awaited(*args: Any) -> Any:
            return call(*args)

        return awaited


class AsyncMemcoreStore(TypedFaces, BaseStore):
    """An asyncio `BaseStore` on SQLite, PostgreSQL, MariaDB/MySQL or in memory, with TTL."""

    supports_ttl = True

    def __init__(
        self,
        conn: str | AsyncDatabase,
        *,
        ttl: TTLConfig | None = None,
        index: IndexConfig | None = None,
        clock: Callable[[], datetime] = _now,
        **options: Any,
    ) -> None:
        self.index = None if index is None else VectorIndex(index)
        self._owned = isinstance(conn, str) and conn != IN_MEMORY
        self.db: AsyncDatabase | None = None
        if conn == IN_MEMORY:
            self.table: AsyncMemoryTable | AsyncSqlStoreTable = AsyncMemoryTable()
        elif isinstance(conn, str | AsyncDatabase):
            self.db = AsyncDatabase(conn, **options) if isinstance(conn, str) else conn
            self.table = AsyncSqlStoreTable(self.db)
        else:
            raise InvalidInput(
                f"AsyncMemcoreStore needs a database URL, {IN_MEMORY!r} or an AsyncDatabase, not {conn!r}"
            )
        self.ttl_config = ttl
        self.clock = clock
        self.loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.Task[None] | None = None

    @classmethod
    @asynccontextmanager
    async def from_conn_string(cls, url: str, *, ttl: TTLConfig | None = None, **options: Any) -> AsyncIterator[Self]:
        store = cls(url, ttl=ttl, **options)
        try:
            yield store
        finally:
            await store.aclose()

    async def setup(self) -> None:
        """Bring memcore's schema (this table included) to the newest migration."""
        if self.db is not None:
            await asyncio.to_thread(migrate_to_head, self.db.settings.url)  # Alembic is synchronous

    async def aclose(self) -> None:
        await self.stop_ttl_sweeper()
        if self._owned and self.db is not None:
            await self.db.close()

    # -- BaseStore

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        self.loop = asyncio.get_running_loop()
        ops = list(ops)
        checked = [check_op(op) for op in ops]  # all of them first: a bad op writes nothing
        if self.index is not None:  # then the puts' vectors, still before anything is written
            for i, op in enumerate(ops):
                if isinstance(op, PutOp):
                    checked[i] = (*checked[i], await self._embed(op.value, op.index, checked[i][3]))
        now = self.clock()
        per_put = self.table.statements_per_put + (0 if self.index is None else 2)
        if sum(isinstance(op, PutOp) for op in ops) * per_put <= 1:
            return [await self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]
        async with self.table.transaction():
            return [await self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """The async batch, from a thread other than the store's event loop's."""
        loop = self.loop
        if loop is None or loop.is_closed():
            raise InvalidInput("AsyncMemcoreStore's sync calls need its event loop: await an async call first")
        try:
            if asyncio.get_running_loop() is loop:
                raise InvalidInput("sync AsyncMemcoreStore calls would block its own event loop: use the a* methods")
        except RuntimeError:
            pass  # no loop in this thread: the right case
        return asyncio.run_coroutine_threadsafe(self.abatch(list(ops)), loop).result()

    # -- TTL

    async def sweep(self) -> int:
        """Delete the expired items; how many there were."""
        return await self.table.sweep(self.clock())

    async def sweep_ttl(self) -> int:
        return await self.sweep()

    async def start_ttl_sweeper(self, sweep_interval_minutes: float | None = None) -> "asyncio.Task[None]":
        """Sweep every `sweep_interval_minutes` (else the TTL config's, else 5) in an asyncio task
        until `stop_ttl_sweeper`. Started twice, the running task is returned."""
        if self._sweeper is not None and not self._sweeper.done():
            return self._sweeper
        config = self.ttl_config or {}
        minutes = sweep_interval_minutes
        minutes = minutes if minutes is not None else config.get("sweep_interval_minutes") or DEFAULT_MINUTES
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
            raise InvalidInput(f"sweep_interval_minutes is a positive number, got {minutes!r}")
        self._sweeper = asyncio.create_task(self._sweep_every(minutes * 60), name="memcore-ttl-sweeper")
        return self._sweeper

    async def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper; whether it ended within `timeout` seconds (True when none runs)."""
        task, self._sweeper = self._sweeper, None
        if task is None or task.done():
            return True
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=timeout)
        return bool(done)

    async def _sweep_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                swept = await self.sweep()
                if swept:
                    log.info("TTL sweep deleted %d expired store items", swept)
            except Exception:  # the next sweep may well succeed (a restarted server)
                log.exception("TTL sweep failed")

    # -- running

    def _refresh(self, asked: bool | None) -> bool:
        if asked is not None:
            return asked
        return True if self.ttl_config is None else self.ttl_config.get("refresh_on_read", True)

    async def _touch(self, rows: list[Row], now: datetime) -> None:
        refreshed = refreshed_expiries(rows, now)
        if refreshed:
            await self.table.touch(refreshed)

    async def _run(self, op: Op, extra: Any, now: datetime) -> Result:
        if isinstance(op, GetOp):
            row = await self.table.get(*extra, now)
            if row is not None and self._refresh(op.refresh_ttl):
                await self._touch([row], now)
            return None if row is None else _item(row)
        if isinstance(op, PutOp):
            namespace, key, ttl, text, *vectors = extra
            if text is None:
                await self.table.delete(namespace, key)
            else:
                expires = None if ttl is None else now + timedelta(minutes=ttl)
                await self.table.upsert(namespace, key, text, now, expires, ttl)
                if self.index is not None:
                    await self.table.write_vectors(namespace, key, vectors[0] or [])
            return None
        if isinstance(op, SearchOp):
            return await self._search(op, extra, now)
        assert isinstance(op, ListNamespacesOp)
        return namespace_page(op, await self.table.namespaces(now))

    async def _embed(self, value: Any, index: Any, text: str | None) -> Vectors | None:
        if text is None or self.index is None:
            return None
        texts = self.index.texts(value, index)
        if not texts:
            return []
        embedded = await self.index.embeddings.aembed_documents([t for _, t in texts])
        return self.index.pack([field for field, _ in texts], embedded)

    async def _search(self, op: SearchOp, prefix: str, now: datetime) -> list[SearchItem]:
        words = [] if self.index is not None else query_words(op.query)
        if op.query and self.index is not None:
            query = self.index.query(await self.index.embeddings.aembed_query(op.query))
            rows = await self.table.filtered(prefix, now, op.filter, ALL_CANDIDATES)
            rows, scores = rank(self.index, query, rows, await self.table.vectors_of(rows))
        elif words:
            rows, scores = await self.table.text(prefix, now, words)
        else:
            rows = await self.table.filtered(prefix, now, op.filter, op.offset + op.limit)
            scores = [None] * len(rows)
        rows, scores = search_page(op, bool(words), rows, scores)
        if rows and self._refresh(op.refresh_ttl):
            await self._touch(rows, now)
        return [_search_item(row, score) for row, score in zip(rows, scores, strict=True)]
