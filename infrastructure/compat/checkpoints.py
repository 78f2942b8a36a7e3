"""SQLCheckpointer: the async checkpoint API services use, on an AsyncDatabase.

It behaves like the checkpoint use cases (the contract suite runs both): checkpoints are validated
by the domain's Checkpoint, numbered per thread, and returned as plain dicts.
"""

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

from memcore.application.checkpoints.handlers import RACES, SEQUENCE_RETRIES, backoff
from memcore.domain.checkpoints.model import FIELDS, Checkpoint, check_checkpoint_id
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.domain.shared.validation import check_id, shown
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import pipeline_checkpoints as table

__all__ = ["SQLCheckpointer"]

COLUMNS = ", ".join(FIELDS)
SELECT = f"SELECT {COLUMNS} FROM pipeline_checkpoints"


async def next_sequence(db: AsyncDatabase, thread_id: str) -> int:
    """The thread's next sequence, read so that racing writers of the thread queue for it.

    Call inside a transaction. SQLite's transactions begin IMMEDIATE (one writer at a time);
    PostgreSQL first takes a transaction-scoped advisory lock on the thread; MySQL/MariaDB lock the
    thread's index range (`FOR UPDATE`). A second writer waits instead of reading the same maximum.
    """
    sql = "SELECT MAX(sequence) FROM pipeline_checkpoints WHERE thread_id = :thread"
    if db.dialect == "postgresql":
        await db.fetch_value("SELECT pg_advisory_xact_lock(hashtextextended(:thread, 0))", {"thread": thread_id})
    elif db.dialect in ("mysql", "mariadb"):
        sql += " FOR UPDATE"
    return (await db.fetch_value(sql, {"thread": thread_id}) or 0) + 1


def _now() -> datetime:
    return datetime.now(UTC)


class SQLCheckpointer:
    def __init__(self, db: AsyncDatabase, clock: Callable[[], datetime] = _now) -> None:
        self.db, self.clock = db, clock
        self.codec = RowCodec(table, FIELDS, db.sqlalchemy_dialect)

    async def setup(self) -> None:
        """Migrate the database (memcore's schema, this table included) if it is behind."""
        url = make_url(self.db.settings.url)
        sync_url = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)

        def run() -> None:
            engine = build_engine(Settings(url=sync_url))
            try:
                migrate.upgrade(engine)
            finally:
                engine.dispose()

        await asyncio.to_thread(run)

    def _dict(self, row: dict[str, Any]) -> dict[str, Any]:
        data = dict(zip(FIELDS, self.codec.decode([row[name] for name in FIELDS]), strict=True))
        data["created_at"] = data["created_at"].isoformat()
        return data

    async def save_checkpoint(
        self,
        thread_id: str,
        pipeline_id: str,
        state: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        parent_id: str | None = None,
    ) -> str:
        for attempt in range(SEQUENCE_RETRIES):
            try:
                return await self._save(thread_id, pipeline_id, state, metadata, parent_id)
            except RACES:
                if attempt == SEQUENCE_RETRIES - 1:
                    raise
                await asyncio.sleep(backoff(attempt))
        raise AssertionError("unreachable")

    async def _save(self, thread_id: str, pipeline_id: str, state: Any, metadata: Any, parent_id: Any) -> str:
        check_id("thread_id", thread_id)
        async with self.db.transaction():
            if parent_id is not None:
                parent = await self.db.fetch_one(
                    "SELECT thread_id FROM pipeline_checkpoints WHERE checkpoint_id = :id",
                    {"id": check_checkpoint_id(parent_id, "parent_id")},
                )
                if parent is None or parent["thread_id"] != thread_id:
                    raise NotFound(f"no checkpoint {parent_id!r} in thread {thread_id!r}")
            sequence = await next_sequence(self.db, thread_id)
            checkpoint = Checkpoint(
                thread_id=thread_id,
                pipeline_id=pipeline_id,
                state=state,
                metadata=metadata if metadata is not None else {},
                parent_id=parent_id,
                sequence=sequence,
                checkpoint_id=str(uuid.uuid4()),
                created_at=self.clock(),
            )
            values = self.codec.encode([getattr(checkpoint, name) for name in FIELDS])
            await self.db.execute(
                f"INSERT INTO pipeline_checkpoints ({COLUMNS}) VALUES ({', '.join(':' + n for n in FIELDS)})",
                dict(zip(FIELDS, values, strict=True)),
            )
        return checkpoint.checkpoint_id

    async def load_checkpoint(self, thread_id: str, pipeline_id: str | None = None) -> dict[str, Any] | None:
        check_id("thread_id", thread_id)
        params: dict[str, Any] = {"thread": thread_id}
        where = "thread_id = :thread"
        if pipeline_id is not None:
            check_id("pipeline_id", pipeline_id)
            where += " AND pipeline_id = :pipeline"
            params["pipeline"] = pipeline_id
        row = await self.db.fetch_one(f"{SELECT} WHERE {where} ORDER BY sequence DESC LIMIT 1", params)
        return None if row is None else self._dict(row)

    async def get_checkpoint(self, checkpoint_id: str) -> dict[str, Any] | None:
        row = await self.db.fetch_one(f"{SELECT} WHERE checkpoint_id = :id", {"id": check_checkpoint_id(checkpoint_id)})
        return None if row is None else self._dict(row)

    async def list_checkpoints(
        self, thread_id: str, limit: int = 20, before: str | None = None
    ) -> list[dict[str, Any]]:
        """Newest first; `before` (a checkpoint id of the thread) pages further back."""
        check_id("thread_id", thread_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidInput(f"limit must be a non-negative integer, got {shown(limit)}")
        params: dict[str, Any] = {"thread": thread_id, "limit": limit}
        where = "thread_id = :thread"
        if before is not None:
            anchor = await self.get_checkpoint(check_checkpoint_id(before, "before"))
            if anchor is None or anchor["thread_id"] != thread_id:
                raise NotFound(f"no checkpoint {before!r} in thread {thread_id!r}")
            where += " AND sequence < :before"
            params["before"] = anchor["sequence"]
        rows = await self.db.fetch_all(f"{SELECT} WHERE {where} ORDER BY sequence DESC LIMIT :limit", params)
        return [self._dict(row) for row in rows]

    async def delete_thread(self, thread_id: str) -> int:
        check_id("thread_id", thread_id)
        sql = "DELETE FROM pipeline_checkpoints WHERE thread_id = :thread"
        return await self.db.execute(sql, {"thread": thread_id})

    async def prune(self, thread_id: str, keep_last: int) -> int:
        """Delete all but the newest `keep_last` checkpoints of the thread; returns how many went."""
        check_id("thread_id", thread_id)
        if isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 0:
            raise InvalidInput(f"keep_last must be a non-negative integer, got {shown(keep_last)}")
        async with self.db.transaction():
            cutoff = None
            if keep_last:
                kept = await self.db.fetch_all(
                    "SELECT sequence FROM pipeline_checkpoints WHERE thread_id = :thread "
                    "ORDER BY sequence DESC LIMIT :keep",
                    {"thread": thread_id, "keep": keep_last},
                )
                if len(kept) < keep_last:
                    return 0
                cutoff = kept[-1]["sequence"]
            sql = "DELETE FROM pipeline_checkpoints WHERE thread_id = :thread"
            params: dict[str, Any] = {"thread": thread_id}
            if cutoff is not None:
                sql += " AND sequence < :cutoff"
                params["cutoff"] = cutoff
            return await self.db.execute(sql, params)
