"""The "conflicts" workload: record, get and list pending conflicts, via memcore and via the raw driver.

Both sides get the same deterministic data, each in its native form (commands for memcore, parameter
tuples for the driver), built before the clock starts. On reads both sides hand back rows a caller
can use: the raw side parses the metadata JSON and (SQLite) the date text, as memcore's views do.
Every operation is its own transaction on both sides, as in an application serving requests.
"""

import json
import random
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.application.conflicts import commands
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload

_parse, _loads = datetime.fromisoformat, json.loads
DEFAULT_ROWS = 20_000
USERS = 200
PAGE = 20
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
COLUMNS = (
    "id, user_id, memory_a_id, memory_b_id, category, is_singleton_category, similarity_score, status, "
    "avg_importance, clarification_hint, resolution_type, winning_memory_id, resolution_attempts, "
    "created_at, resolved_at, metadata_json"
)


def _command(i: int) -> commands.RecordConflict:
    resolved = i % 4 == 3  # a quarter resolved, so the pending list has something to filter out
    created = BASE_TIME + timedelta(seconds=i, microseconds=i % 997)
    return commands.RecordConflict(
        id=f"c-{i}",
        user_id=f"bench-user-{i % USERS}",
        memory_a_id=f"m-{i}-a",
        memory_b_id=f"m-{i}-b",
        category=f"category-{i % 7}",
        similarity_score=(i * 37 % 101) / 100,
        avg_importance=(i * 53 % 101) / 100,
        is_singleton_category=i % 5 == 0,
        clarification_hint=None if i % 2 else f"Which one is true ({i})?",
        status="resolved" if resolved else "pending",
        resolution_type="automated" if resolved else None,
        winning_memory_id=f"m-{i}-a" if resolved else None,
        resolution_attempts=i % 3,
        created_at=created,
        resolved_at=created + timedelta(minutes=5) if resolved else None,
        metadata={"source": "bench", "i": i, "tags": ["a", "b"]},
    )


def _params(cmd: commands.RecordConflict, on_sqlite: bool) -> tuple[Any, ...]:
    def when(value: datetime | None) -> Any:
        if value is None:
            return None
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if on_sqlite else naive

    return (
        cmd.id,
        cmd.user_id,
        cmd.memory_a_id,
        cmd.memory_b_id,
        cmd.category,
        cmd.is_singleton_category,
        cmd.similarity_score,
        cmd.status,
        cmd.avg_importance,
        cmd.clarification_hint,
        cmd.resolution_type,
        cmd.winning_memory_id,
        cmd.resolution_attempts,
        when(cmd.created_at),
        when(cmd.resolved_at),
        json.dumps(cmd.metadata, allow_nan=False),
    )


class ConflictsWorkload(BenchWorkload):
    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        picker = random.Random(20_000)
        self.get_ids = [f"c-{picker.randrange(rows)}" for _ in range(min(10_000, max(1, rows // 2)))]
        self.pending_users = [f"bench-user-{i % min(USERS, rows)}" for i in range(min(2_000, max(1, rows // 10)))]
        self.commands = [_command(i) for i in range(rows)]

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self._refuse_foreign_rows(
            {"conflicts": "conflicts WHERE user_id NOT LIKE 'bench-user-%'"}, "the conflicts table"
        )
        mark = self.mark
        self.insert_sql = f"INSERT INTO conflicts ({COLUMNS}) VALUES ({self._marks(16)})"
        self.get_sql = f"SELECT {COLUMNS} FROM conflicts WHERE id = {mark}"
        self.pending_sql = (
            f"SELECT * FROM conflicts WHERE user_id = {mark} AND status = 'pending' "
            f"ORDER BY avg_importance DESC, created_at ASC, id ASC LIMIT {PAGE}"
        )
        self.params = [_params(cmd, self.backend == "sqlite") for cmd in self.commands]

    def phases(self) -> Sequence[Phase]:
        return [
            Phase("record", self.rows, self._ours_record, self._raw_record, before=self._clear, after=self._stored),
            Phase("get", len(self.get_ids), self._ours_get, self._raw_get),
            Phase("pending", len(self.pending_users), self._ours_pending, self._raw_pending),
        ]

    # -- untimed set-up and checks

    def _clear(self) -> None:
        self._run("DELETE FROM conflicts")

    def _stored(self) -> tuple[Any, ...]:
        """What the record phase left: the row count and two rows read back through memcore."""
        count = self._count("conflicts", "record")
        get = self.services.get_conflict
        return count, get(self.commands[0].id), get(self.commands[-1].id)

    # -- memcore's use cases

    def _ours_record(self) -> int:
        handle = self.services.bus.handle
        for cmd in self.commands:
            handle(cmd)
        return len(self.commands)

    def _ours_get(self) -> int:
        get = self.services.get_conflict
        return sum(get(conflict_id) is not None for conflict_id in self.get_ids)

    def _ours_pending(self) -> list[str]:
        pending = self.services.pending_conflicts
        return [view.id for user in self.pending_users for view in pending(user, limit=PAGE)]

    # -- the raw DB-API driver doing the same

    def _raw_record(self) -> int:
        conn, cursor, sql = self.conn, self.conn.cursor(), self.insert_sql
        for params in self.params:
            cursor.execute(sql, params)
            conn.commit()
        cursor.close()
        return len(self.params)

    def _raw_get(self) -> int:
        conn, cursor, sql, usable = self.conn, self.conn.cursor(), self.get_sql, self._usable
        found = 0
        for conflict_id in self.get_ids:
            cursor.execute(sql, (conflict_id,))
            row = cursor.fetchone()
            found += row is not None and usable(row) is not None
            conn.rollback()  # end the read transaction, as memcore's Unit of Work does
        cursor.close()
        return found

    def _raw_pending(self) -> list[str]:
        conn, cursor, sql, usable = self.conn, self.conn.cursor(), self.pending_sql, self._usable
        ids: list[str] = []
        for user in self.pending_users:
            cursor.execute(sql, (user,))
            ids.extend(usable(row)[0] for row in cursor.fetchall())
            conn.rollback()
        cursor.close()
        return ids

    def _usable(self, row: Sequence[Any]) -> list[Any]:
        """What a caller of the driver must do before using a row, as memcore's views hand it over:
        the metadata parsed, the flag a bool and, on SQLite (text), the datetimes parsed. Without
        it the raw side would hand back JSON text and date strings nobody can use as they are."""
        values = list(row)
        values[5] = bool(values[5])
        if self.backend == "sqlite":
            values[13] = _parse(values[13])
            if values[14] is not None:
                values[14] = _parse(values[14])
        values[15] = _loads(values[15]) if values[15] else {}
        return values
