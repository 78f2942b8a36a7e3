"""MemcoreSaver: LangGraph's synchronous checkpointer on memcore's `Database` (the lean route).

    with MemcoreSaver.from_conn_string("postgresql://app@db/app") as saver:
        saver.setup()
        graph = builder.compile(checkpointer=saver)

Also built on an application (`MemcoreSaver(memcore.connect(url))`, sharing its settings) or on a
`Database`. The async methods run the sync ones in a worker thread; `AsyncMemcoreSaver` is the
natively async twin.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.serde.base import SerializerProtocol

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.app import Memcore
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.fastpath import FastReader
from memcore.infrastructure.sqlalchemy.raw_sql import prepare
from memcore.integrations.langgraph.base import WRITES_PER_STATEMENT, MemcoreSaverBase, Op, migrate_to_head
from memcore.integrations.langgraph.versioned import VersionedReads, versioned_ok

__all__ = ["MemcoreSaver"]


class MemcoreSaver(MemcoreSaverBase):
    """A `BaseCheckpointSaver` on SQLite, PostgreSQL or MariaDB/MySQL."""

    def __init__(
        self, conn: str | Memcore | Database, *, serde: SerializerProtocol | None = None, **options: Any
    ) -> None:
        self._app: Memcore | None = None
        self._owned = isinstance(conn, str)
        if isinstance(conn, str):
            self.db = Database(conn, **options)
        elif isinstance(conn, Memcore):
            self._app, self.db = conn, conn.database
        elif isinstance(conn, Database):
            self.db = conn
        else:
            raise InvalidInput(f"MemcoreSaver needs a database URL, a memcore application or a Database, not {conn!r}")
        if options and not self._owned:
            raise InvalidInput("database options apply only when MemcoreSaver opens the database from a URL")
        super().__init__(self.db.dialect, serde=serde)
        self._reader = FastReader(self.db.engine)  # reads outside transactions: one connection per thread
        self._style = self.db.paramstyle
        # On an SQLite file, reads repeated while the file is unchanged skip the seeks (versioned.py).
        self._versioned = VersionedReads(self._reader) if versioned_ok(self._reader) else None
        self._read = self._reader.all if self._versioned is None else self._versioned.all

    @classmethod
    @contextmanager
    def from_conn_string(cls, url: str, *, serde: SerializerProtocol | None = None, **options: Any) -> Iterator[Self]:
        """A saver on `url` (any memcore database URL), closed on leaving the block."""
        saver = cls(url, serde=serde, **options)
        try:
            yield saver
        finally:
            saver.close()

    def setup(self) -> None:
        """Bring memcore's schema (these tables included) to the newest migration."""
        if self._app is not None:
            self._app.migrate()
            return
        migrate_to_head(self.db.settings.url)

    def close(self) -> None:
        """Give back the readers' connections, and close the database if this saver opened it."""
        self._reader.close_all()
        if self._owned:
            self.db.close()

    def _run(self, op: Op[Any], transaction: bool = False) -> Any:
        try:
            if transaction:
                with self.db.transaction():
                    return self._drive(op, self._rows_in_transaction)
            return self._drive(op, self._rows)
        finally:
            if self._versioned is not None:  # after the commit: rows read meanwhile are not kept
                self._versioned.forget()

    def _drive(self, op: Op[Any], rows: Any) -> Any:
        db = self.db
        try:
            call = next(op)
            while True:
                method = call.method
                result = rows(call.sql, call.params) if method == "rows" else getattr(db, method)(call.sql, call.params)
                call = op.send(result)
        except StopIteration as done:
            return done.value

    def _rows(self, sql: str, params: Any) -> list[Any]:
        query, args = prepare(sql, *self._style).bind(params)
        return self._read(query, () if args is None else args)

    def _rows_in_transaction(self, sql: str, params: Any) -> list[Any]:
        return [tuple(row.values()) for row in self.db.fetch_all(sql, params)]

    # -- BaseCheckpointSaver

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id, namespace, sql, params = self._get_query(config)  # the generator's two halves, inline
        return self._from_union(thread_id, namespace, self._rows(sql, params))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._list_now(config, filter, before, limit)

    def _list_now(
        self,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Sequence[CheckpointTuple]:
        """`_list` without its generator: the same halves, called in turn."""
        sql, params = self._list_query(config, filter, before, limit)
        one = self._list_one(sql, params, filter)
        if one is not None:
            return self._from_listed(self._rows(one, params))
        rows = self._listed(self._rows(sql, params), filter, limit)
        queries = self._writes_queries(rows)
        found = [self._rows(self.sql.writes_of_many, query) for query in queries]
        return self._list_tuples(rows, queries, found)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._run(self._put(config, checkpoint, metadata, new_versions))

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        # More writes than one statement takes are written in one transaction.
        self._run(self._put_writes(config, writes, task_id, task_path), len(writes) > WRITES_PER_STATEMENT)

    def delete_thread(self, thread_id: str) -> None:
        self._run(self._delete_thread(thread_id), transaction=True)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._run(self._delete_for_runs(run_ids), transaction=True)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._run(self._copy_thread(source_thread_id, target_thread_id), transaction=True)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._run(self._prune(thread_ids, strategy), transaction=True)

    # -- the async interface, on a worker thread

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(self._list_now, config, filter, before, limit)
        for item in found:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)
