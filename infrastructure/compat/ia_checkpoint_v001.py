"""A `pipeline_checkpoints` table made by ia_modules' own V001 migration, used as it is.

ia_modules' V001 (`ia_modules/database/migrations/V001__complete_schema.sql`, run through nexusql)
makes the table with only ia_modules' columns: a UUID `checkpoint_id` (CHAR(36) on MySQL, TEXT on
SQLite), `step_id`, `step_index`, `step_name`, `timestamp` (TIMESTAMP, TEXT on SQLite), JSONB
`state` and `metadata`, `status`, and `parent_checkpoint_id` referencing `checkpoint_id`. memcore's
own columns (`sequence`, `created_at`, `parent_id`) are not there, and nothing is added: the
ia_modules checkpointer drop-in reads and writes these rows as ia_modules' `SQLCheckpointer` does,
so ia_modules' code and the drop-in can share the table.

- A save writes ia_modules' INSERT: the state and metadata as JSON text, `timestamp` as
  `datetime.now().isoformat()` (local time without a zone, the form ia_modules' rows have, so both
  order alike; TEXT on SQLite compares it as text).
- Newest means the latest `timestamp`, as in ia_modules, then the highest `step_index` and id: a
  tie-break for MySQL's TIMESTAMP, which keeps whole seconds only.
- Times read back are taken as local time and returned timezone-aware in UTC, as the drop-in
  returns them for memcore's own table.
- On PostgreSQL an id that is not a UUID matches nothing (the column would refuse to compare it).
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from memcore.infrastructure.sqlalchemy.database import Database

__all__ = ["MEMCORE_COLUMNS", "V001Table"]

MEMCORE_COLUMNS = frozenset({"sequence", "created_at", "parent_id"})
COLUMNS = (
    "checkpoint_id", "thread_id", "pipeline_id", "step_id", "step_index", "step_name", "timestamp",
    "state", "metadata", "status", "parent_checkpoint_id",
)  # fmt: skip
WRITTEN = (
    "checkpoint_id", "thread_id", "pipeline_id", "step_id", "step_index", "step_name", "state", "metadata",
    "parent_checkpoint_id", "timestamp",
)  # fmt: skip
SELECT = f"SELECT {', '.join(COLUMNS)} FROM pipeline_checkpoints"
INSERT = f"INSERT INTO pipeline_checkpoints ({', '.join(WRITTEN)}) VALUES ({', '.join(':' + n for n in WRITTEN)})"
NEWEST = "ORDER BY timestamp DESC, step_index DESC, checkpoint_id DESC"


def _json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value  # PostgreSQL's JSONB, decoded by the driver


def _moment(value: Any) -> datetime | None:
    """A stored time (ia_modules writes local time without a zone) as an aware UTC datetime."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


class V001Table:
    """Reads and writes a V001-made `pipeline_checkpoints`; rows come back as dicts of the fields of
    the drop-in's `Checkpoint`."""

    def __init__(self, db: Database, uuid_ids: bool) -> None:
        self._db = db
        self._uuid_ids = uuid_ids
        self._text_times = db.dialect == "sqlite"

    @classmethod
    def open(cls, db: Database) -> "V001Table | None":
        """The table's reader when it lacks memcore's columns (V001 made it), else None."""
        columns = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("pipeline_checkpoints")}
        if MEMCORE_COLUMNS & columns.keys():
            return None
        return cls(db, isinstance(columns.get("checkpoint_id"), sa.Uuid))

    def _matchable(self, checkpoint_id: Any) -> bool:
        if not self._uuid_ids:
            return True
        try:
            uuid.UUID(str(checkpoint_id))
        except ValueError:
            return False
        return True

    def _time(self, moment: datetime) -> Any:
        """`moment` as ia_modules stores it: local time without a zone (ISO text on SQLite)."""
        local = (moment if moment.tzinfo else moment.astimezone()).astimezone().replace(tzinfo=None)
        return local.isoformat() if self._text_times else local

    def save(self, values: dict[str, Any]) -> str:
        """Insert one checkpoint (`values` holds WRITTEN's names but `timestamp`); its id."""
        checkpoint_id = str(uuid.uuid4())
        params = values | {
            "checkpoint_id": checkpoint_id,
            "state": json.dumps(values["state"]),
            "metadata": json.dumps(values["metadata"] or {}),
            "timestamp": datetime.now().isoformat(),
        }
        self._db.execute(INSERT, params)
        return checkpoint_id

    def _row(self, row: dict[str, Any]) -> dict[str, Any]:
        parent = row["parent_checkpoint_id"]
        return {
            "checkpoint_id": str(row["checkpoint_id"]),
            "thread_id": row["thread_id"],
            "pipeline_id": row["pipeline_id"],
            "step_id": row["step_id"],
            "step_index": row["step_index"],
            "step_name": row["step_name"],
            "state": _json(row["state"]),
            "timestamp": _moment(row["timestamp"]),
            "metadata": _json(row["metadata"]),
            "status": row["status"] or "completed",
            "parent_checkpoint_id": None if parent is None else str(parent),
        }

    def _where(self, thread_id: str, pipeline_id: str | None) -> tuple[str, dict[str, Any]]:
        where, params = "thread_id = :thread", {"thread": thread_id}
        if pipeline_id is not None:
            where += " AND pipeline_id = :pipeline"
            params["pipeline"] = pipeline_id
        return where, params

    def load(self, thread_id: str, checkpoint_id: str | None) -> dict[str, Any] | None:
        where, params = self._where(thread_id, None)
        if checkpoint_id is not None:
            if not self._matchable(checkpoint_id):
                return None
            where += " AND checkpoint_id = :id"
            params["id"] = str(checkpoint_id)
        row = self._db.fetch_one(f"{SELECT} WHERE {where} {NEWEST} LIMIT 1", params)
        return None if row is None else self._row(row)

    def list(self, thread_id: str, pipeline_id: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        where, params = self._where(thread_id, pipeline_id)
        params |= {"limit": limit, "offset": offset}
        rows = self._db.fetch_all(f"{SELECT} WHERE {where} {NEWEST} LIMIT :limit OFFSET :offset", params)
        return [self._row(row) for row in rows]

    def delete_one(self, thread_id: str, checkpoint_id: str) -> bool:
        if not self._matchable(checkpoint_id):
            return False
        sql = "DELETE FROM pipeline_checkpoints WHERE thread_id = :thread AND checkpoint_id = :id"
        return self._db.execute(sql, {"thread": thread_id, "id": str(checkpoint_id)}) > 0

    def delete_many(self, thread_id: str, pipeline_id: str | None, before: datetime | None, keep_latest: int) -> int:
        where, params = self._where(thread_id, pipeline_id)
        with self._db.transaction():
            if keep_latest:
                kept = self._db.fetch_all(
                    f"SELECT checkpoint_id FROM pipeline_checkpoints WHERE {where} {NEWEST} LIMIT :keep",
                    params | {"keep": keep_latest},
                )
                if len(kept) < keep_latest:
                    return 0
                names = [f":kept{i}" for i in range(len(kept))]
                where += f" AND checkpoint_id NOT IN ({', '.join(names)})"
                params |= {name[1:]: row["checkpoint_id"] for name, row in zip(names, kept, strict=True)}
            if before is not None:
                where += " AND timestamp < :before"
                params["before"] = self._time(before)
            return self._db.execute(f"DELETE FROM pipeline_checkpoints WHERE {where}", params)

    def stats(self, thread_id: str | None) -> tuple[int, datetime | None, datetime | None]:
        where, params = ("WHERE thread_id = :thread", {"thread": thread_id}) if thread_id else ("", {})
        row = self._db.fetch_one(
            f"SELECT COUNT(*) AS total, MIN(timestamp) AS oldest, MAX(timestamp) AS newest "
            f"FROM pipeline_checkpoints {where}",
            params,
        )
        if not row or not row["total"]:
            return 0, None, None
        return int(row["total"]), _moment(row["oldest"]), _moment(row["newest"])
