"""AsyncMemcoreSaver: LangGraph's asyncio checkpointer on memcore's `AsyncDatabase`.

    async with AsyncMemcoreSaver.from_conn_string("postgresql://app@db/app") as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)

The twin of `MemcoreSaver`, sending the same SQL through asyncpg, aiosqlite or asyncmy. The sync
methods, called from another thread, run the async ones on the saver's event loop.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Self

import attrs
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.serde.base import SerializerProtocol

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.app import AsyncMemcore, Memcore
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.integrations.langgraph.base import WRITES_PER_STATEMENT, MemcoreSaverBase, Op, migrate_to_head

__all__ = ["AsyncMemcoreSaver"]


class AsyncMemcoreSaver(MemcoreSaverBase):
    """An asyncio `BaseCheckpointSaver` on SQLite, PostgreSQL or MariaDB/MySQL."""

    def __init__(
        self,
        conn: str | Memcore | AsyncMemcore | AsyncDatabase,
        *,
        serde: SerializerProtocol | None = None,
        **options: Any,
    ) -> None:
        self._app: Memcore | None = None
        self._owned = not isinstance(conn, AsyncDatabase | AsyncMemcore)
        if isinstance(conn, str):
            self.db = AsyncDatabase(conn, **options)
        elif isinstance(conn, AsyncMemcore):
            self._app, self.db = conn.app, conn.database
        elif isinstance(conn, Memcore):
            settings = attrs.asdict(conn.settings)
            self._app, self.db = conn, AsyncDatabase(settings.pop("url"), **settings)
        elif isinstance(conn, AsyncDatabase):
            self.db = conn
        else:
            raise InvalidInput(f"AsyncMemcoreSaver needs a database URL, a memcore application or an AsyncDatabase, "
                               f"not {conn!r}")  # fmt: skip
        if options and not isinstance(conn, str):
            raise InvalidInput("database options apply only when AsyncMemcoreSaver opens the database from a URL")
        self.loop: asyncio.AbstractEventLoop | None = None
        super().__init__(self.db.dialect, serde=serde)

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, url: str, *, serde: SerializerProtocol | None = None, **options: Any
    ) -> AsyncIterator[Self]:
        """A saver on `url` (any memcore database URL), closed on leaving the block."""
        saver = cls(url, serde=serde, **options)
        try:
            yield saver
        finally:
            await saver.aclose()

    async def setup(self) -> None:
        """Bring memcore's schema (these tables included) to the newest migration."""
        if self._app is not None:
            await asyncio.to_thread(self._app.migrate)
            return
        await asyncio.to_thread(migrate_to_head, self.db.settings.url)

    async def aclose(self) -> None:
        """Close the database if this saver opened it."""
        if self._owned:
            await self.db.close()

    async def _run(self, op: Op[Any], transaction: bool = False) -> Any:
        self.loop = self.loop or asyncio.get_running_loop()
        if transaction:
            async with self.db.transaction():
                return await self._drive(op)
        return await self._drive(op)

    async def _drive(self, op: Op[Any]) -> Any:
        db = self.db
        try:
            call = next(op)
            while True:
                if call.method == "rows":
                    result: Any = [tuple(row.values()) for row in await db.fetch_all(call.sql, call.params)]
                else:
                    result = await getattr(db, call.method)(call.sql, call.params)
                call = op.send(result)
        except StopIteration as done:
            return done.value

    # -- BaseCheckpointSaver, async

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._run(self._get_tuple(config))

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in await self._run(self._list(config, filter, before, limit)):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await self._run(self._put(config, checkpoint, metadata, new_versions))

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        # More writes than one statement takes are written in one transaction.
        await self._run(self._put_writes(config, writes, task_id, task_path), len(writes) > WRITES_PER_STATEMENT)

    async def adelete_thread(self, thread_id: str) -> None:
        await self._run(self._delete_thread(thread_id), transaction=True)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await self._run(self._delete_for_runs(run_ids), transaction=True)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await self._run(self._copy_thread(source_thread_id, target_thread_id), transaction=True)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._run(self._prune(thread_ids, strategy), transaction=True)

    # -- the sync interface, from other threads, on the saver's loop (as LangGraph's async savers do)

    def _on_loop(self, op: Op[Any], transaction: bool = False) -> Any:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is None or not self.loop.is_running() or running is self.loop:
            raise InvalidInput("the sync methods of AsyncMemcoreSaver run only from another thread while its event "
                               "loop runs; await the a-methods, or use MemcoreSaver")  # fmt: skip
        return asyncio.run_coroutine_threadsafe(self._run(op, transaction), self.loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._on_loop(self._get_tuple(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._on_loop(self._list(config, filter, before, limit))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._on_loop(self._put(config, checkpoint, metadata, new_versions))

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self._on_loop(self._put_writes(config, writes, task_id, task_path), len(writes) > WRITES_PER_STATEMENT)
