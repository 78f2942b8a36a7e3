"""The "checkpoints" workload: save + load-latest round trips, through memcore and by hand.

Each round trip saves a checkpoint to one of 50 threads and reads that thread's latest back.
`save_load` runs the use cases (sync); `async_save_load` runs the async SQLCheckpointer on an
AsyncDatabase. The raw side of both is the DB-API driver doing the same statements in the same
transactions: read the thread's highest sequence, insert, commit, read the latest.
"""

import asyncio
import json
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from memcore.application.checkpoints.commands import SaveCheckpoint
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.compat.checkpoints import SQLCheckpointer
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

DEFAULT_ROWS = 5_000
THREADS = 50
STATE = {"step": "summarise", "messages": [{"role": "user", "content": "Plan my week ✨"}] * 3, "tokens": 1234}
COLUMNS = "checkpoint_id, thread_id, pipeline_id, parent_id, sequence, state, metadata, created_at"


class CheckpointsWorkload(BenchWorkload):
    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        self.loop = asyncio.new_event_loop()

    def _open(self, stack: ExitStack) -> None:
        stack.callback(self.loop.close)
        super()._open(stack)
        self.adb = AsyncDatabase(self.settings.url)
        stack.callback(lambda: self.loop.run_until_complete(self.adb.close()))
        self.checkpointer = SQLCheckpointer(self.adb)
        foreign = "pipeline_checkpoints WHERE thread_id NOT LIKE 'bench-thread-%'"
        self._refuse_foreign_rows({"checkpoints": foreign}, "the pipeline_checkpoints table")
        mark = self.mark
        self.sql_max = f"SELECT MAX(sequence) FROM pipeline_checkpoints WHERE thread_id = {mark}"
        self.sql_insert = f"INSERT INTO pipeline_checkpoints ({COLUMNS}) VALUES ({self._marks(8)})"
        self.sql_latest = (
            f"SELECT {COLUMNS} FROM pipeline_checkpoints WHERE thread_id = {mark} ORDER BY sequence DESC LIMIT 1"
        )
        self.on_sqlite = self.backend == "sqlite"

    def phases(self) -> Sequence[Phase]:
        run = self.loop.run_until_complete
        return [
            Phase("save_load", self.rows, self._ours, self._raw, before=self._clear, after=self._stored),
            Phase("async_save_load", self.rows, lambda: run(self._ours_async()), self._raw, before=self._clear,
                  after=self._stored),
        ]  # fmt: skip

    def _clear(self) -> None:
        self._run("DELETE FROM pipeline_checkpoints")

    def _stored(self) -> int:
        count, top = self._row("SELECT COUNT(*), MAX(sequence) FROM pipeline_checkpoints")
        if count != self.rows:
            raise AssertionError(f"stored {count} checkpoints, expected {self.rows}")
        return top

    def _ours(self) -> int:
        handle, latest = self.services.bus.handle, self.services.checkpoints.latest
        for i in range(self.rows):
            thread = f"bench-thread-{i % THREADS}"
            handle(SaveCheckpoint(thread, "bench", STATE, {"i": i}))
            latest(thread)
        return self.rows

    async def _ours_async(self) -> int:
        save, load = self.checkpointer.save_checkpoint, self.checkpointer.load_checkpoint
        for i in range(self.rows):
            thread = f"bench-thread-{i % THREADS}"
            await save(thread, "bench", STATE, {"i": i})
            await load(thread)
        return self.rows

    def _raw(self) -> int:
        conn, state = self.conn, json.dumps(STATE)
        cursor = conn.cursor()
        for i in range(self.rows):
            thread = f"bench-thread-{i % THREADS}"
            now = datetime.now(UTC).replace(tzinfo=None)
            if self.on_sqlite:  # its connections autocommit until told otherwise, as memcore's do
                cursor.execute("BEGIN")
            cursor.execute(self.sql_max, (thread,))
            (top,) = cursor.fetchone()
            created: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.on_sqlite else now
            row = (str(uuid.uuid4()), thread, "bench", None, (top or 0) + 1, state, json.dumps({"i": i}), created)
            cursor.execute(self.sql_insert, row)
            conn.commit()
            cursor.execute(self.sql_latest, (thread,))
            cursor.fetchone()
            conn.rollback()
        return self.rows
