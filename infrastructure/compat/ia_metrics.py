"""ia_modules' `SQLMetricStorage`, over nexusql's `DatabaseManager` drop-in (or memcore's Database).

    db = DatabaseManager("sqlite:///app.db"); await db.initialize()    # migrates (0013: the tables)
    storage = SQLMetricStorage(db)
    await storage.record_step({"agent": "planner", "success": True})
    await storage.get_steps(agent="planner")                           # list of dicts, oldest first

Its records keep ia_modules' own tables (`reliability_steps`, `reliability_workflows`,
`reliability_slo_measurements`, created by the migration, never by this class), not the metric
context's time series: they are fixed-shape rows read back as rows. Timestamps are UTC-aware
datetimes (a naive one is local time, as `datetime.astimezone` reads it). Bad input raises
InvalidInput before anything is written; a missing table raises ia_modules' RuntimeError.
"""

import contextlib
import math
from datetime import UTC, datetime
from typing import Any

from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import (
    reliability_slo_measurements,
    reliability_steps,
    reliability_workflows,
)

__all__ = ["SQLMetricStorage"]

STEP = ("agent_name", "success", "required_compensation", "required_human", "mode", "declared_mode",
        "mode_violation", "timestamp")  # fmt: skip
WORKFLOW = ("workflow_id", "steps", "retries", "success", "required_human", "timestamp")
SLO = ("id", "measurement_type", "thread_id", "checkpoint_id", "duration_ms", "replay_mode", "success", "error",
       "timestamp")  # fmt: skip
SLO_TYPES = ("mtte", "rsr")
TABLES = {t.name: t for t in (reliability_steps, reliability_workflows, reliability_slo_measurements)}


def database_of(manager: Any, who: str) -> Database:
    """memcore's Database behind a connected DatabaseManager drop-in (or the Database itself)."""
    if isinstance(manager, Database):
        return manager
    database = getattr(manager, "database", None)
    if not isinstance(database, Database):
        raise InvalidInput(f"{who} takes a connected DatabaseManager (memcore.compat.nexusql)")
    return database


def _insert(table: str, names: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"


def _flag(record: dict[str, Any], name: str, default: Any = None) -> bool:
    value = record.get(name, default) if default is not None else record.get(name)
    if not isinstance(value, bool | int) or (isinstance(value, int) and value not in (0, 1)):
        raise InvalidInput(f"{name} must be a boolean, got {type(value).__name__}")
    return bool(value)


def _text(value: Any, name: str, size: int, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not value.strip() and not optional) or len(value) > size:
        raise InvalidInput(f"{name} must be a string of at most {size} characters")
    return value


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**31 - 1:
        raise InvalidInput(f"{name} must be a non-negative integer")
    return value


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.astimezone()).astimezone(UTC)


def _stamp(record: dict[str, Any]) -> datetime:
    """The record's ISO `timestamp` (a datetime is accepted too), or now."""
    value = record.get("timestamp")
    if not value:
        return datetime.now(UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput("timestamp must be an ISO 8601 date and time") from None
    if not isinstance(value, datetime):
        raise InvalidInput("timestamp must be an ISO 8601 string or a datetime")
    return _utc(value)


def _since(since: Any) -> datetime | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        raise InvalidInput("since must be a datetime")
    return _utc(since)


def _record(record: Any, *required: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InvalidInput("a metric record must be a dict")
    missing = [name for name in required if name not in record]
    if missing:
        raise InvalidInput(f"the record lacks {', '.join(missing)}")
    return record


class SQLMetricStorage:
    """ia_modules' SQLMetricStorage; see the module docstring."""

    def __init__(self, db_manager: Any) -> None:
        self.db = db_manager
        self._db: Database = database_of(db_manager, "SQLMetricStorage")
        if not self._db.table_exists("reliability_steps"):
            raise RuntimeError("reliability_steps table not found. Run database migrations first.")
        dialect = self._db.sqlalchemy_dialect
        self._steps = RowCodec(reliability_steps, STEP, dialect)
        self._workflows = RowCodec(reliability_workflows, WORKFLOW, dialect)
        self._slo = RowCodec(reliability_slo_measurements, SLO[1:], dialect)
        self._since = RowCodec(reliability_steps, ("timestamp",), dialect)

    def _write(self, sql: str, codec: RowCodec, names: tuple[str, ...], values: list[Any]) -> None:
        self._db.execute(sql, dict(zip(names, codec.encode(values), strict=True)))

    async def record_step(self, record: dict[str, Any]) -> None:
        record = _record(record, "agent", "success")
        values = [
            _text(record["agent"], "agent", 255, optional=False),
            _flag(record, "success"),
            _flag(record, "required_compensation", False),
            _flag(record, "required_human", False),
            _text(record.get("mode"), "mode", 50),
            _text(record.get("declared_mode"), "declared_mode", 50),
            _flag(record, "mode_violation", False),
            _stamp(record),
        ]
        self._write(_insert("reliability_steps", STEP), self._steps, STEP, values)

    async def record_workflow(self, record: dict[str, Any]) -> None:
        """Record a workflow once: a second record of the same `workflow_id` is ignored."""
        record = _record(record, "workflow_id", "steps", "success")
        values = [
            _text(record["workflow_id"], "workflow_id", 255, optional=False),
            _count(record["steps"], "steps"),
            _count(record.get("retries", 0), "retries"),
            _flag(record, "success"),
            _flag(record, "required_human", False),
            _stamp(record),
        ]
        with contextlib.suppress(AlreadyExists):  # upstream's "DO NOTHING" on a known workflow_id
            self._write(_insert("reliability_workflows", WORKFLOW), self._workflows, WORKFLOW, values)

    def _select(self, table: str, names: tuple[str, ...], where: list[str], params: dict[str, Any],
                since: Any) -> list[dict[str, Any]]:  # fmt: skip
        stamp = _since(since)
        if stamp is not None:
            where.append("timestamp >= :since")
            params["since"] = self._since.encode([stamp])[0]
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {', '.join(names)} FROM {table}{clause} ORDER BY timestamp, id"
        codec = RowCodec(TABLES[table], names, self._db.sqlalchemy_dialect)
        rows = self._db.fetch_all(sql, params)
        return [dict(zip(names, codec.decode([row[n] for n in names]), strict=True)) for row in rows]

    async def get_steps(self, agent: str | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
        """Steps (of one agent, from `since` on), oldest first."""
        where, params = [], {}
        if agent:
            where.append("agent_name = :agent")
            params["agent"] = _text(agent, "agent", 255)
        rows = self._select("reliability_steps", ("id", *STEP), where, params, since)
        return [{"agent": row["agent_name"], **{n: row[n] for n in STEP[1:]}} for row in rows]

    async def get_workflows(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Workflows (from `since` on), oldest first."""
        rows = self._select("reliability_workflows", ("id", *WORKFLOW), [], {}, since)
        return [{n: row[n] for n in WORKFLOW} for row in rows]

    async def record_slo_measurement(
        self,
        measurement_type: str,
        thread_id: str,
        checkpoint_id: str | None = None,
        duration_ms: int | None = None,
        replay_mode: str | None = None,
        success: bool = True,
        error: str | None = None,
    ) -> None:
        """Record an MTTE (`"mtte"`, with `duration_ms`) or RSR (`"rsr"`) measurement, timestamped now."""
        if measurement_type not in SLO_TYPES:
            raise InvalidInput(f"measurement_type must be one of {', '.join(SLO_TYPES)}")
        values = [
            None,
            measurement_type,
            _text(thread_id, "thread_id", 255, optional=False),
            _text(checkpoint_id, "checkpoint_id", 255),
            None if duration_ms is None else _duration(duration_ms),
            _text(replay_mode, "replay_mode", 50),
            _flag({"success": success}, "success"),
            _text(error, "error", 65_535),
            datetime.now(UTC),
        ]
        names = SLO[1:]
        self._write(_insert("reliability_slo_measurements", names), self._slo, names, values[1:])

    async def get_slo_measurements(self, measurement_type: str, since: datetime | None = None) -> list[dict[str, Any]]:
        """One type's measurements (from `since` on), oldest first, every column."""
        return self._select(
            "reliability_slo_measurements", SLO, ["measurement_type = :type"], {"type": measurement_type}, since
        )

    async def close(self) -> None:
        """Disconnect the DatabaseManager, as upstream does (a memcore Database given is left open)."""
        if self.db is not self._db and hasattr(self.db, "disconnect"):
            self.db.disconnect()


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("duration_ms must be a finite number of milliseconds")
    if value < 0 or value > 2**62:
        raise InvalidInput("duration_ms must be a non-negative number of milliseconds")
    return int(value)
