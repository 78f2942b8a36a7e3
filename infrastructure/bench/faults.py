"""`memcore bench --workload faults`: reliability figures at a small, configurable scale.

Not a speed race: each phase does the same faulty work through memcore and through the raw driver,
and reports what survived it (`extras`). `--rows N` is the number of SIGKILLs (and of connection
kills) per side. The writers and checks are the reliability suite's own (fault_crash, fault_load).
- `crash <context>` for ideas, conflicts, ltm_entries, knowledge, posts and checkpoints: a child
  process writes batches, logging each after its commit returned, and is SIGKILLed at a random
  moment; afterwards every logged batch must be there (`lost`), none in part (`partial`), posts
  and checkpoints numbered without a gap (`gaps`), the store intact (`integrity_failures`). The
  raw side writes the same batch size into a scratch table with executemany + commit.
- `hostile input`: a table of hostile values stored and read back as memory entries; memcore's
  outcomes are `accepted` (exact round trip), `rejected` (a typed MemcoreError) or `leaked`
  (anything else: must be 0); the raw side binds the same values and counts driver exceptions.
- `connection kill` (PostgreSQL, MariaDB): the server connection in the pool is killed between
  two writes; the next write either succeeds or fails with one typed error, and memcore must
  recover by itself (`time_to_recover_s`, `outages_survived`, `writes_lost`).
- `connection kill under load` (PostgreSQL, MariaDB): four writer threads and a reader run while
  their connections (those of this user to this database opened since the phase began) are
  killed (`pg_terminate_backend` / `KILL`), N times: `outage_s` (kill to the last failed call),
  `failed_calls`, `commit_unknown`, `time_to_recover_s` (until every thread succeeded again),
  `writes_lost`, `untyped_errors`.
- `server restart under load` (PostgreSQL, MariaDB), only where the bench may restart the server:
  MEMCORE_BENCH_RESTART names a shell command that does it (`pg_ctl restart …`, `systemctl
  restart mariadb`), run up to 3 times under the same load; the same figures, plus the command's
  length. Without it the bench restarts nothing (it has only a URL).
"""

import math
import os
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from memcore.application.conversations.commands import StartConversation
from memcore.application.memory import commands
from memcore.domain.shared.errors import MemcoreError
from memcore.infrastructure.bench.fault_crash import (
    BATCH,
    acknowledged,
    bulk_writer,
    count_run,
    integrity_failures,
    kill_once,
)
from memcore.infrastructure.bench.fault_servers import MAX_RESTARTS, RESTART_ENV, SCRATCH, ServerFaults
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload

DEFAULT_ROWS = 5  # kills per side and context
# The crash phases' rows, by table and the column holding their tag.
_CRASH_ROWS = {"idea_inspiration": "source_id", "conflicts": "id", "ltm_entries": "{key}",
               "knowledge_chunks": "external_id"}  # fmt: skip

HOSTILE: dict[str, Any] = {
    "nul byte": "a\x00b",
    "lone surrogate": "a\ud800b",
    "4-byte unicode": "emoji 😀 clef 𝄞",
    "1 MB string": "x" * 1_000_000,
    "600-char key": "k" * 600,
    "empty": "",
    "fts syntax": 'NEAR("a" OR -b*',
    "sql fragment": "'; DROP TABLE users; --",
    "NaN": math.nan,
    "inf": math.inf,
    "huge int": 2**70,
    "None": None,
    "bytes": b"bytes",
    "dict": {"a": [1, {"b": None}]},
    "naive timestamp": datetime(2026, 1, 2, 3, 4, 5),
    "non-serializable": {"x": object()},
}


def _raw_writer(url: str, context: str, run: int, batch: int, ack: str, target: str | None, prefix: str) -> None:
    """The raw side of a crash phase: batches of `batch` scratch rows, executemany + commit."""
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    engine = build_engine(Settings(url=url))
    conn = engine.raw_connection()
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with open(ack, "a") as log:
        for n in range(10**6):
            cursor = conn.cursor()
            if engine.dialect.name == "sqlite":  # memcore's engine leaves SQLite connections in autocommit
                cursor.execute("BEGIN IMMEDIATE")
            rows = [(f"{prefix}{run}-{n}/{i}", n) for i in range(batch)]
            cursor.executemany(f"INSERT INTO {SCRATCH} (k, batch) VALUES ({mark}, {mark})", rows)
            conn.commit()
            log.write(f"{n}\n")
            log.flush()


class FaultsWorkload(ServerFaults, BenchWorkload):
    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.workdir = Path(tempfile.mkdtemp(prefix="memcore-faults-"))
        self._exec(f"DROP TABLE IF EXISTS {SCRATCH}")
        self._exec(f"CREATE TABLE {SCRATCH} (k VARCHAR(200) PRIMARY KEY, batch INTEGER NOT NULL)")
        stack.callback(self._exec, f"DROP TABLE IF EXISTS {SCRATCH}")
        self.figures: dict[str, dict[str, Any]] = {}
        self.password = make_url(self.settings.url).password
        self.prefix = f"fb{secrets.token_hex(3)}r"  # this bench's rows, told from anyone else's
        self.targets: dict[str, str] = {}
        self.hostile_keys: set[str] = set()
        self._restarted: list[Any] = []
        stack.callback(lambda: [fresh.close() for fresh in self._restarted])
        stack.callback(self._delete_ours)

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run `sql` on the bench's own connection and commit. That connection only keeps the books
        (counts, cleanup): when something outside ended it (a kill, a restart), it is opened again
        and `sql` run once more, so the figures are still read and the rows still deleted."""
        try:
            return self._exec_once(sql, params)
        except Exception as exc:
            if not self.raw_engine.dialect.is_disconnect(exc, self.conn, None):
                raise
        self._reopen()
        return self._exec_once(sql, params)

    def _exec_once(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(sql, params) if params else cursor.execute(sql)
        rows = list(cursor.fetchall()) if cursor.description else []
        self.conn.commit()
        return rows

    def _reopen(self) -> None:
        """A new connection for the bench's books; the old one's pool is dropped with it."""
        self.raw_engine.dispose()
        fresh = self.raw_engine.raw_connection()
        self._restarted.append(fresh)
        self.conn = fresh.driver_connection

    def _clear(self) -> None:
        self._delete_ours()
        start = StartConversation(title=f"{self.prefix} crash posts")
        self.targets = {"posts": self.services.bus.handle(start).id, "checkpoints": f"{self.prefix}thread"}

    def _delete_ours(self) -> None:
        """Every row this bench wrote: tagged with its prefix, in its conversations and thread."""
        self._exec(f"DELETE FROM {SCRATCH}")
        key, mark, like = self._quoted("key"), self.mark, [f"{self.prefix}%"]
        for prefix in ("kill-%", "hostile-%"):
            self._exec(f"DELETE FROM ltm_entries WHERE {key} LIKE {mark}", [prefix])
        for stored in self.hostile_keys:  # hostile values stored as keys
            self._exec(f"DELETE FROM ltm_entries WHERE {key} = {mark}", [stored])
        for table, column in _CRASH_ROWS.items():
            self._exec(f"DELETE FROM {table} WHERE {column.format(key=key)} LIKE {mark}", like)
        ours = f"SELECT id FROM conversations WHERE title LIKE {mark}"
        self._exec(f"DELETE FROM messages WHERE conversation_id IN ({ours})", like)
        self._exec(f"DELETE FROM conversations WHERE title LIKE {mark}", like)
        self._exec(f"DELETE FROM pipeline_checkpoints WHERE thread_id LIKE {mark}", like)

    def phases(self) -> Sequence[Phase]:
        phases = [
            Phase(f"crash {context}", self.rows, partial(self._crash, "ours", context),
                  partial(self._crash, "raw", context), extras=partial(self.figures.get, f"crash {context}", {}),
                  note="SIGKILL mid-batch; every logged batch present, none in part")
            for context in BATCH
        ]  # fmt: skip
        phases.append(
            Phase("hostile input", len(HOSTILE), lambda: self._hostile("ours"), lambda: self._hostile("raw"),
                  extras=lambda: self.figures.get("hostile", {}),
                  note="memcore: exact round trip or a typed error; raw: driver exceptions counted")
        )  # fmt: skip
        if self.backend != "sqlite":
            phases.append(
                Phase("connection kill", self.rows, lambda: self._kills("ours"), lambda: self._kills("raw"),
                      extras=lambda: self.figures.get("connection kill", {}),
                      note="the pooled server connection killed between writes")
            )  # fmt: skip
            phases.append(
                Phase("connection kill under load", self.rows, lambda: self._under_load("ours"),
                      lambda: self._under_load("raw"), extras=lambda: self.figures.get("under load kill", {}),
                      note="the connections of 4 writers and a reader killed while they run")
            )  # fmt: skip
            if os.environ.get(RESTART_ENV):
                phases.append(
                    Phase("server restart under load", min(self.rows, MAX_RESTARTS),
                          lambda: self._under_load("ours", "restart"), lambda: self._under_load("raw", "restart"),
                          extras=lambda: self.figures.get("under load restart", {}),
                          note=f"the server restarted by ${RESTART_ENV} while 4 writers and a reader run")
                )  # fmt: skip
        return phases

    # -- crash kills

    def _crash(self, side: str, context: str) -> int:
        url, target = self.settings.url, self.targets.get(context)
        writer = bulk_writer if side == "ours" else _raw_writer
        # The raw side's scratch rows of each context apart: its tags carry the context's number.
        prefix = self.prefix if side == "ours" else f"{self.prefix}{list(BATCH).index(context)}x"
        totals = dict.fromkeys(("acknowledged", "lost", "partial", "gaps"), 0)
        failures = 0
        for run in range(self.rows):
            ack = self.workdir / f"{side}-{context}-{run}-{time.monotonic_ns()}.log"
            kill_once(url, context, run, ack, target, prefix, writer=writer)
            if side == "ours":
                counts = count_run(self.raw_engine, context, run, ack, target, self.prefix)
                failures += len(integrity_failures(self.raw_engine))
            else:
                counts = self._raw_counts(context, f"{prefix}{run}-", ack)
            for name, n in counts.items():
                totals[name] += n
        figures = {f"{side}_kills": self.rows, f"{side}_acked_batches": totals["acknowledged"],
                   f"{side}_lost": totals["lost"], f"{side}_partial": totals["partial"]}  # fmt: skip
        if side == "ours":
            figures.update(ours_gaps=totals["gaps"], ours_integrity_failures=failures)
        self.figures.setdefault(f"crash {context}", {}).update(figures)
        return self.rows  # what both sides did; what survived it is in the extras

    def _raw_counts(self, context: str, tag: str, ack: Path) -> dict[str, int]:
        """Batches acknowledged, lost and partial of a raw run (its scratch rows tagged `tag`<n>)."""
        rows = self._exec(f"SELECT k FROM {SCRATCH} WHERE k LIKE {self.mark}", [f"{tag}%"])
        stored = Counter(str(k).split("/")[0] for (k,) in rows)
        acked, batch = acknowledged(ack), BATCH[context]
        return {"acknowledged": len(acked), "lost": sum(stored.get(f"{tag}{n}") != batch for n in acked),
                "partial": sum(n != batch for n in stored.values())}  # fmt: skip

    def _quoted(self, name: str) -> str:
        return f"`{name}`" if self.backend in ("mysql", "mariadb") else f'"{name}"'

    # -- hostile input

    def _hostile(self, side: str) -> int:
        tried = accepted = rejected = leaked = 0
        for name, value in HOSTILE.items():
            for slot in ("key", "value"):
                tried += 1
                key, stored = (value, "x") if slot == "key" else (f"hostile-{name}", value)
                try:
                    if side == "ours":
                        self.services.bus.handle(commands.StoreMemory(key, stored))
                        self.hostile_keys.add(key)
                        back = self.services.memory.get_value(key)
                        exact = back is not None and (back[0] == stored or _both_nan(back[0], stored))
                        accepted, leaked = accepted + exact, leaked + (not exact)
                    else:
                        row = [key if slot == "key" else f"hostile-{name}", 0 if slot == "key" else stored]
                        self._exec(f"INSERT INTO {SCRATCH} (k, batch) VALUES ({self.mark}, {self.mark})", row)
                        accepted += 1
                except MemcoreError as exc:
                    bad = not str(exc).strip() or (self.password and self.password in str(exc))
                    rejected, leaked = rejected + (not bad), leaked + bool(bad)
                except Exception:  # a raw driver/SQLAlchemy exception, a TypeError, a RecursionError …
                    leaked += 1
                    if side == "raw":
                        self.conn.rollback()
        label = "leaked" if side == "ours" else "driver_exceptions"
        self.figures.setdefault("hostile", {}).update(
            {
                "inputs_tried": tried,
                f"{side}_accepted": accepted,
                f"{side}_rejected": rejected,
                f"{side}_{label}": leaked,
            }
        )
        return tried


def _both_nan(a: Any, b: Any) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
