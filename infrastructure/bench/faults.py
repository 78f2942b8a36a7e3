"""`memcore bench --workload faults`: reliability figures at a small, configurable scale.

Not a speed race: each phase does the same faulty work through memcore and through the raw driver,
and reports what survived it (`extras`). `--rows N` is the number of SIGKILLs per side.
- `crash kills`: a child process writes batches of 20 entries, logging each batch after its commit
  returned, and is SIGKILLed at a random moment; afterwards every logged batch must be there
  (`lost`) and no batch may be there in part (`partial`). memcore writes memory entries with
  StoreMemories, the raw side a scratch table with executemany + commit.
- `hostile input`: a table of hostile values stored and read back as memory entries; memcore's
  outcomes are `accepted` (exact round trip), `rejected` (a typed MemcoreError) or `leaked`
  (anything else: must be 0); the raw side binds the same values and counts driver exceptions.
- `connection kill` (PostgreSQL, MariaDB): the server connection in the pool is killed between
  two writes; the next write either succeeds or fails with one typed error, and memcore must
  recover by itself (`time_to_recover_s`, `outages_survived`, `writes_lost`).
"""

import math
import multiprocessing
import os
import random
import signal
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from memcore.application.memory import commands
from memcore.domain.shared.errors import MemcoreError
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.container import container_for

DEFAULT_ROWS = 5  # kills per side
BATCH = 20
SCRATCH = "bench_faults_raw"

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


def _memcore_writer(url: str, run: int, ack: str) -> None:
    container = container_for(url)
    bus = container.services().bus
    with open(ack, "a") as log:
        for batch in range(10_000):
            keys = [f"fault-{run}-{batch}-{i}" for i in range(BATCH)]
            bus.handle(
                commands.StoreMemories([commands.StoreMemory(k, {"run": run, "i": i}) for i, k in enumerate(keys)])
            )
            log.write(f"{batch}\n")
            log.flush()


def _raw_writer(url: str, run: int, ack: str) -> None:
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    engine = build_engine(Settings(url=url))
    conn = engine.raw_connection()
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    with open(ack, "a") as log:
        for batch in range(10_000):
            cursor = conn.cursor()
            if engine.dialect.name == "sqlite":  # memcore's engine leaves SQLite connections in autocommit
                cursor.execute("BEGIN IMMEDIATE")
            rows = [(f"fault-{run}-{batch}-{i}", batch) for i in range(BATCH)]
            cursor.executemany(f"INSERT INTO {SCRATCH} (k, batch) VALUES ({mark}, {mark})", rows)
            conn.commit()
            log.write(f"{batch}\n")
            log.flush()


class FaultsWorkload(BenchWorkload):
    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.workdir = Path(tempfile.mkdtemp(prefix="memcore-faults-"))
        self._exec(f"DROP TABLE IF EXISTS {SCRATCH}")
        self._exec(f"CREATE TABLE {SCRATCH} (k VARCHAR(200) PRIMARY KEY, batch INTEGER NOT NULL)")
        stack.callback(self._exec, f"DROP TABLE IF EXISTS {SCRATCH}")
        self.figures: dict[str, dict[str, Any]] = {}
        self.password = make_url(self.settings.url).password

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(sql, params) if params else cursor.execute(sql)
        rows = list(cursor.fetchall()) if cursor.description else []
        self.conn.commit()
        return rows

    def _clear(self) -> None:
        self._exec(f"DELETE FROM {SCRATCH}")
        key = self._quoted("key")
        for prefix in ("fault-%", "kill-%", "hostile-%"):
            self._exec(f"DELETE FROM ltm_entries WHERE {key} LIKE {self.mark}", [prefix])

    def phases(self) -> Sequence[Phase]:
        phases = [
            Phase("crash kills", self.rows, lambda: self._crash("ours"), lambda: self._crash("raw"),
                  extras=lambda: self.figures.get("crash", {}),
                  note="SIGKILL mid-batch; every logged batch present, none in part"),
            Phase("hostile input", len(HOSTILE), lambda: self._hostile("ours"), lambda: self._hostile("raw"),
                  extras=lambda: self.figures.get("hostile", {}),
                  note="memcore: exact round trip or a typed error; raw: driver exceptions counted"),
        ]  # fmt: skip
        if self.backend != "sqlite":
            phases.append(
                Phase(
                    "connection kill",
                    self.rows,
                    lambda: self._kills("ours"),
                    lambda: self._kills("raw"),
                    extras=lambda: self.figures.get("connection kill", {}),
                    note="the pooled server connection killed between writes",
                )
            )
        return phases

    # -- crash kills

    def _crash(self, side: str) -> tuple[int, int, int]:
        context = multiprocessing.get_context("spawn")
        target = _memcore_writer if side == "ours" else _raw_writer
        url = self.settings.url
        lost = partial = acked_total = 0
        for run in range(self.rows):
            ack = self.workdir / f"{side}-{run}-{time.monotonic_ns()}.log"
            ack.touch()
            child = context.Process(target=target, args=(url, run, str(ack)))
            child.start()
            deadline = time.monotonic() + 60
            while not ack.read_text() and time.monotonic() < deadline and child.is_alive():
                time.sleep(0.01)  # let it commit a first batch, then kill it somewhere later
            time.sleep(random.uniform(0.0, 0.2))
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join()
            acked = {int(line) for line in ack.read_text().split()}
            acked_total += len(acked)
            counts = self._batch_counts(side, run)
            lost += sum(counts.get(b, 0) != BATCH for b in acked)
            partial += sum(n not in (0, BATCH) for n in counts.values())
        self.figures.setdefault("crash", {}).update(
            {
                f"{side}_kills": self.rows,
                f"{side}_acked_batches": acked_total,
                f"{side}_lost": lost,
                f"{side}_partial": partial,
            }
        )
        return self.rows  # what both sides did; what survived it is in the extras

    def _batch_counts(self, side: str, run: int) -> dict[int, int]:
        """Rows stored per batch of the run (read on the raw connection)."""
        table, column = (SCRATCH, "k") if side == "raw" else ("ltm_entries", self._quoted("key"))
        rows = self._exec(f"SELECT {column} FROM {table} WHERE {column} LIKE {self.mark}", [f"fault-{run}-%"])
        counts: dict[int, int] = {}
        for (key,) in rows:
            batch = int(str(key).split("-")[2])
            counts[batch] = counts.get(batch, 0) + 1
        return counts

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

    # -- connection kills

    def _kill_pooled(self, engine: Any) -> None:
        """Kill the server connection `engine`'s pool holds (only that one: the database may be shared)."""
        probe = "SELECT pg_backend_pid()" if self.backend == "postgresql" else "SELECT CONNECTION_ID()"
        with engine.connect() as connection:
            pid = int(connection.exec_driver_sql(probe).scalar_one())
        try:
            self._exec(f"SELECT pg_terminate_backend({pid})" if self.backend == "postgresql" else f"KILL {pid}")
        except Exception:  # gone already
            self.conn.rollback()

    def _kills(self, side: str) -> tuple[int, int]:
        """Kill the other connections, then write until a write succeeds; count the writes lost."""
        from memcore.infrastructure.settings import Settings
        from memcore.infrastructure.sqlalchemy.engine import build_engine

        survived = lost = 0
        recovery: list[float] = []
        failed_calls = 0
        if side == "ours":
            container = container_for(self.settings.url)
            bus, memory = container.services().bus, container.services().memory
        else:
            engine = build_engine(Settings(url=self.settings.url))
        acked: list[str] = []
        for n in range(self.rows):
            key = f"kill-{side}-{n}"
            if side == "ours":
                bus.handle(commands.StoreMemory(key + "-before", 1))
            self._kill_pooled(container.engine() if side == "ours" else engine)
            start = time.perf_counter()
            for _attempt in range(50):
                try:
                    if side == "ours":
                        bus.handle(commands.StoreMemory(key, n))
                    else:
                        with engine.begin() as connection:
                            connection.exec_driver_sql(f"INSERT INTO {SCRATCH} (k, batch) VALUES ('{key}', {n})")
                    acked.append(key)
                    break
                except MemcoreError:
                    failed_calls += 1
                except Exception:
                    failed_calls += 1
                    if side == "ours":
                        raise  # a raw exception reaching the caller: that is the finding
                time.sleep(0.05)
            else:
                continue
            recovery.append(time.perf_counter() - start)
            survived += 1
        if side == "ours":
            lost = sum(memory.get(k) is None for k in acked)
            container.shutdown_resources()
        else:
            present = {k for (k,) in self._exec(f"SELECT k FROM {SCRATCH} WHERE k LIKE 'kill-raw-%'")}
            lost = sum(k not in present for k in acked)
            engine.dispose()
        self.figures.setdefault("connection kill", {}).update(
            {
                f"{side}_outages": self.rows,
                f"{side}_outages_survived": survived,
                f"{side}_failed_calls": failed_calls,
                f"{side}_time_to_recover_s": max(recovery, default=0.0),
                f"{side}_writes_lost": lost,
            }
        )
        return self.rows


def _both_nan(a: Any, b: Any) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
