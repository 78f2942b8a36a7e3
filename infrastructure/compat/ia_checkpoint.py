"""ia_modules' `SQLCheckpointer`, over nexusql's `DatabaseManager` drop-in.

    db = DatabaseManager("sqlite:///app.db"); await db.initialize()
    checkpointer = SQLCheckpointer(db)
    ckpt_id = await checkpointer.save_checkpoint("thread", "pipeline", "step1", 0, {"x": 1})
    checkpoint = await checkpointer.load_checkpoint("thread")      # a `Checkpoint`, or None

It writes the same `pipeline_checkpoints` rows as memcore's own `SQLCheckpointer`
(memcore.compat.checkpoints, whose `save_checkpoint(thread_id, pipeline_id, state, ...)` shape
stays): memcore's columns (sequence, created_at, parent_id) plus ia_modules' (step_id, step_index,
step_name, timestamp, status, parent_checkpoint_id; migration 0011). Either class reads what the
other wrote. Newest means the highest sequence, not the latest clock reading. Failures raise
`CheckpointSaveError` / `CheckpointLoadError` / `CheckpointDeleteError` from memcore's error.

A `pipeline_checkpoints` table made by ia_modules' own V001 migration (no memcore columns) is used
as it is, the way ia_modules uses it: see ia_checkpoint_v001.py.
"""

import enum
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from memcore.domain.checkpoints.model import Checkpoint as DomainCheckpoint
from memcore.domain.shared.errors import InvalidInput, MemcoreError
from memcore.domain.shared.validation import check_id
from memcore.infrastructure.compat.ia_checkpoint_v001 import V001Table
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import pipeline_checkpoints as table

__all__ = [
    "Checkpoint",
    "CheckpointDeleteError",
    "CheckpointError",
    "CheckpointLoadError",
    "CheckpointSaveError",
    "CheckpointStatus",
    "SQLCheckpointer",
]

COLUMNS = (
    "checkpoint_id", "thread_id", "pipeline_id", "parent_id", "sequence", "state", "metadata", "created_at",
    "step_id", "step_index", "step_name", "timestamp", "status", "parent_checkpoint_id",
)  # fmt: skip
SELECT = f"SELECT {', '.join(COLUMNS)} FROM pipeline_checkpoints"
INSERT = f"INSERT INTO pipeline_checkpoints ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + n for n in COLUMNS)})"
NEWEST = "ORDER BY sequence DESC"


class CheckpointStatus(enum.Enum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CheckpointError(Exception):
    """Any checkpoint failure; the memcore error behind it is its `__cause__`."""


class CheckpointSaveError(CheckpointError):
    pass


class CheckpointLoadError(CheckpointError):
    pass


class CheckpointDeleteError(CheckpointError):
    pass


@dataclass
class Checkpoint:
    """A pipeline's saved state at one step."""

    checkpoint_id: str
    thread_id: str
    pipeline_id: str
    step_id: str
    step_index: int
    pipeline_version: str | None = None
    step_name: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    metadata: dict[str, Any] = field(default_factory=dict)
    status: CheckpointStatus = CheckpointStatus.COMPLETED
    parent_checkpoint_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint_id": self.checkpoint_id,
            "thread_id": self.thread_id,
            "pipeline_id": self.pipeline_id,
            "pipeline_version": self.pipeline_version,
            "step_id": self.step_id,
            "step_index": self.step_index,
            "step_name": self.step_name,
            "state": self.state,
            "timestamp": self.timestamp.isoformat(),
            "metadata": self.metadata,
            "status": self.status.value,
            "parent_checkpoint_id": self.parent_checkpoint_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Checkpoint":
        stamp = data.get("timestamp")
        return cls(
            checkpoint_id=data["checkpoint_id"],
            thread_id=data["thread_id"],
            pipeline_id=data["pipeline_id"],
            pipeline_version=data.get("pipeline_version"),
            step_id=data["step_id"],
            step_index=data["step_index"],
            step_name=data.get("step_name"),
            state=data.get("state", {}),
            timestamp=datetime.fromisoformat(stamp) if stamp else datetime.now(UTC),
            metadata=data.get("metadata", {}),
            status=CheckpointStatus(data.get("status", "completed")),
            parent_checkpoint_id=data.get("parent_checkpoint_id"),
        )


def next_sequence(db: Database, thread_id: str) -> int:
    """As compat.checkpoints.next_sequence, on the synchronous Database (inside a transaction)."""
    sql = "SELECT MAX(sequence) FROM pipeline_checkpoints WHERE thread_id = :thread"
    if db.dialect == "postgresql":
        db.fetch_value("SELECT pg_advisory_xact_lock(hashtextextended(:thread, 0))", {"thread": thread_id})
    elif db.dialect in ("mysql", "mariadb"):
        sql += " FOR UPDATE"
    return (db.fetch_value(sql, {"thread": thread_id}) or 0) + 1


def _database(manager: Any) -> Database:
    if isinstance(manager, Database):
        return manager
    database = getattr(manager, "database", None)
    if not isinstance(database, Database):
        raise InvalidInput("SQLCheckpointer takes a connected DatabaseManager (memcore.compat.nexusql)")
    return database


class SQLCheckpointer:
    """ia_modules' SQLCheckpointer; see the module docstring."""

    def __init__(self, db_manager: Any) -> None:
        self.db = db_manager
        self._db = _database(db_manager)
        if not self._db.table_exists("pipeline_checkpoints"):
            raise CheckpointSaveError("pipeline_checkpoints table not found. Run database migrations first.")
        self._codec = RowCodec(table, COLUMNS, self._db.sqlalchemy_dialect)
        self._v001 = V001Table.open(self._db)

    def _checkpoint(self, row: dict[str, Any]) -> Checkpoint:
        data = dict(zip(COLUMNS, self._codec.decode([row[name] for name in COLUMNS]), strict=True))
        return Checkpoint(  # a row memcore's own checkpointer wrote has no step columns
            checkpoint_id=data["checkpoint_id"],
            thread_id=data["thread_id"],
            pipeline_id=data["pipeline_id"],
            step_id=data["step_id"] if data["step_id"] is not None else "",
            step_index=data["step_index"] if data["step_index"] is not None else data["sequence"] - 1,
            step_name=data["step_name"],
            state=data["state"],
            timestamp=data["timestamp"] or data["created_at"],
            metadata=data["metadata"],
            status=CheckpointStatus(data["status"] or "completed"),
            parent_checkpoint_id=data["parent_checkpoint_id"] or data["parent_id"],
        )

    async def save_checkpoint(
        self,
        thread_id: str,
        pipeline_id: str,
        step_id: str,
        step_index: int,
        state: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        step_name: str | None = None,
        parent_checkpoint_id: str | None = None,
    ) -> str:
        try:
            return self._save(
                thread_id, pipeline_id, step_id, step_index, state, metadata, step_name, parent_checkpoint_id
            )
        except MemcoreError as exc:
            raise CheckpointSaveError(f"Failed to save checkpoint: {exc}") from exc

    def _save(
        self, thread_id: str, pipeline_id: str, step_id: Any, step_index: Any, state: Any,
        metadata: Any, step_name: Any, parent: Any,
    ) -> str:  # fmt: skip
        check_id("step_id", step_id)
        if isinstance(step_index, bool) or not isinstance(step_index, int):
            raise InvalidInput(f"step_index must be an integer, got {step_index!r}")
        if step_name is not None and not isinstance(step_name, str):
            raise InvalidInput(f"step_name must be a string, got {step_name!r}")
        now = datetime.now(UTC)
        if self._v001 is not None:
            DomainCheckpoint(  # validates as memcore's own checkpointer does
                thread_id=thread_id, pipeline_id=pipeline_id, state=state,
                metadata=metadata if metadata is not None else {}, sequence=1,
            )  # fmt: skip
            return self._v001.save({
                "thread_id": thread_id, "pipeline_id": pipeline_id, "step_id": step_id, "step_index": step_index,
                "step_name": step_name, "state": state, "metadata": metadata,
                "parent_checkpoint_id": None if parent is None else str(parent),
            })  # fmt: skip
        with self._db.transaction():
            same_thread = parent is not None and self._db.fetch_one(
                "SELECT 1 FROM pipeline_checkpoints WHERE checkpoint_id = :id AND thread_id = :thread",
                {"id": str(parent), "thread": thread_id},
            )
            checkpoint = DomainCheckpoint(  # validates as memcore's own checkpointer does
                thread_id=thread_id,
                pipeline_id=pipeline_id,
                state=state,
                metadata=metadata if metadata is not None else {},
                parent_id=str(parent) if same_thread else None,
                sequence=next_sequence(self._db, thread_id),
                checkpoint_id=str(uuid.uuid4()),
                created_at=now,
            )
            extra = (step_id, step_index, step_name, now, CheckpointStatus.COMPLETED.value, parent)
            values = [getattr(checkpoint, name) for name in COLUMNS[:8]] + list(extra)
            encoded = self._codec.encode(values)
            self._db.execute(INSERT, dict(zip(COLUMNS, encoded, strict=True)))
        return checkpoint.checkpoint_id

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Checkpoint]:
        try:
            return [self._checkpoint(row) for row in self._db.fetch_all(sql, params)]
        except MemcoreError as exc:
            raise CheckpointLoadError(f"Failed to load checkpoint: {exc}") from exc

    def _v001_rows(self, read: Any, *args: Any) -> list[Checkpoint]:
        try:
            found = read(*args)
        except MemcoreError as exc:
            raise CheckpointLoadError(f"Failed to load checkpoint: {exc}") from exc
        rows = found if isinstance(found, list) else [] if found is None else [found]
        return [Checkpoint(**row | {"status": CheckpointStatus(row["status"])}) for row in rows]

    async def load_checkpoint(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        if self._v001 is not None:
            rows = self._v001_rows(self._v001.load, thread_id, checkpoint_id)
            return rows[0] if rows else None
        where, params = "thread_id = :thread", {"thread": thread_id}
        if checkpoint_id is not None:
            where += " AND checkpoint_id = :id"
            params["id"] = str(checkpoint_id)
        rows = self._rows(f"{SELECT} WHERE {where} {NEWEST} LIMIT 1", params)
        return rows[0] if rows else None

    async def list_checkpoints(
        self, thread_id: str, pipeline_id: str | None = None, limit: int = 10, offset: int = 0
    ) -> list[Checkpoint]:
        for name, value in (("limit", limit), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CheckpointLoadError(f"{name} must be a non-negative integer, got {value!r}")
        if self._v001 is not None:
            return self._v001_rows(self._v001.list, thread_id, pipeline_id, limit, offset)
        where, params = "thread_id = :thread", {"thread": thread_id, "limit": limit, "offset": offset}
        if pipeline_id is not None:
            where += " AND pipeline_id = :pipeline"
            params["pipeline"] = pipeline_id
        return self._rows(f"{SELECT} WHERE {where} {NEWEST} LIMIT :limit OFFSET :offset", params)

    async def delete_checkpoint(self, thread_id: str, checkpoint_id: str) -> bool:
        """Whether the checkpoint was there (and is gone now)."""
        sql = "DELETE FROM pipeline_checkpoints WHERE thread_id = :thread AND checkpoint_id = :id"
        try:
            if self._v001 is not None:
                return self._v001.delete_one(thread_id, checkpoint_id)
            return self._db.execute(sql, {"thread": thread_id, "id": str(checkpoint_id)}) > 0
        except MemcoreError:
            return False

    async def delete_checkpoints(
        self,
        thread_id: str,
        pipeline_id: str | None = None,
        before: datetime | None = None,
        keep_latest: int = 0,
    ) -> int:
        """Delete the thread's checkpoints (of one pipeline, older than `before`, all but the newest
        `keep_latest`); how many went."""
        if isinstance(keep_latest, bool) or not isinstance(keep_latest, int) or keep_latest < 0:
            raise CheckpointDeleteError(f"keep_latest must be a non-negative integer, got {keep_latest!r}")
        where, params = "thread_id = :thread", {"thread": thread_id}
        if pipeline_id is not None:
            where += " AND pipeline_id = :pipeline"
            params["pipeline"] = pipeline_id
        try:
            if self._v001 is not None:
                return self._v001.delete_many(thread_id, pipeline_id, before, keep_latest)
            with self._db.transaction():
                if before is not None:
                    stamp = before if before.tzinfo else before.astimezone()
                    where += " AND created_at < :before"
                    params["before"] = self._codec_one("created_at", stamp.astimezone(UTC))
                if keep_latest:
                    kept = self._db.fetch_all(
                        f"SELECT sequence FROM pipeline_checkpoints WHERE {where.split(' AND created_at')[0]} "
                        f"{NEWEST} LIMIT :keep",
                        {k: v for k, v in params.items() if k != "before"} | {"keep": keep_latest},
                    )
                    if len(kept) < keep_latest:
                        return 0
                    where += " AND sequence < :cutoff"
                    params["cutoff"] = kept[-1]["sequence"]
                return self._db.execute(f"DELETE FROM pipeline_checkpoints WHERE {where}", params)
        except MemcoreError as exc:
            raise CheckpointDeleteError(f"Failed to delete checkpoints: {exc}") from exc

    def _codec_one(self, name: str, value: Any) -> Any:
        codec = RowCodec(table, (name,), self._db.sqlalchemy_dialect)
        return codec.encode([value])[0]

    def _totals(self, thread_id: str | None) -> tuple[int, datetime | None, datetime | None]:
        if self._v001 is not None:
            return self._v001.stats(thread_id)
        where, params = ("WHERE thread_id = :thread", {"thread": thread_id}) if thread_id else ("", {})
        row = self._db.fetch_one(
            "SELECT COUNT(*) AS total, MIN(created_at) AS oldest, MAX(created_at) AS newest "
            f"FROM pipeline_checkpoints {where}",
            params,
        )
        decode = RowCodec(table, ("created_at", "created_at"), self._db.sqlalchemy_dialect).decode
        oldest, newest = decode([row["oldest"], row["newest"]]) if row and row["total"] else (None, None)
        return (int(row["total"]) if row else 0), oldest, newest

    async def get_checkpoint_stats(self, thread_id: str | None = None) -> dict[str, Any]:
        total, oldest, newest = self._totals(thread_id)
        stats: dict[str, Any] = {"total_checkpoints": total, "oldest_checkpoint": oldest, "newest_checkpoint": newest}
        if thread_id:
            stats["thread_id"] = thread_id
        else:
            threads = self._db.fetch_all("SELECT DISTINCT thread_id FROM pipeline_checkpoints ORDER BY thread_id")
            stats["threads"] = [t["thread_id"] for t in threads]
        return stats

    async def close(self) -> None:
        """Nothing to close: the DatabaseManager owns the connections."""
