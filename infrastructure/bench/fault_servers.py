"""The server phases of `memcore bench --workload faults` (PostgreSQL, MariaDB): connections killed
between writes and under load, and server restarts where the bench may do them.

A mixin of FaultsWorkload (faults.py): it uses the workload's raw connection (`_exec`, `conn`),
settings, row prefix and figures. Under load, four writer threads and a reader run (fault_load)
while the fault happens, through memcore and, on the raw side, through a SQLAlchemy engine.
"""

import os
import subprocess
import time
from typing import Any

from memcore.application.memory import commands
from memcore.domain.shared.errors import MemcoreError
from memcore.infrastructure.bench.fault_load import Load, MemcoreLoad
from memcore.infrastructure.container import container_for

SCRATCH = "bench_faults_raw"
RESTART_ENV = "MEMCORE_BENCH_RESTART"  # a shell command that restarts the server, where the bench may
MAX_RESTARTS = 3


class ServerFaults:
    """Connection kills and restarts; mixed into FaultsWorkload."""

    backend: str
    conn: Any
    mark: str
    prefix: str
    rows: int
    settings: Any
    raw_engine: Any
    figures: dict[str, dict[str, Any]]
    _restarted: list[Any]

    def _exec(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _reopen(self) -> None:
        raise NotImplementedError

    @property
    def _pid_probe(self) -> str:
        """The query reading a connection's server id."""
        return "SELECT pg_backend_pid()" if self.backend == "postgresql" else "SELECT CONNECTION_ID()"

    def _own_pid(self) -> int:
        """The server id of the bench's own connection (never one to kill)."""
        return int(self._exec(self._pid_probe)[0][0])

    def _kill(self, pid: int) -> bool:
        """End server connection `pid` unless it is the bench's own; whether it was still there."""
        if pid == self._own_pid():
            return False
        try:
            self._exec(f"SELECT pg_terminate_backend({pid})" if self.backend == "postgresql" else f"KILL {pid}")
            return True
        except Exception:  # gone already
            self.conn.rollback()
            return False

    # -- connection kills

    def _kill_pooled(self, engine: Any) -> None:
        """Kill the server connection `engine`'s pool holds (only that one: the database may be shared)."""
        with engine.connect() as connection:
            pid = int(connection.exec_driver_sql(self._pid_probe).scalar_one())
        self._kill(pid)

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

    # -- connections killed under load

    def _connections(self) -> set[int]:
        """The other connections of this user to this database (the raw side's own one left out)."""
        if self.backend == "postgresql":
            sql = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = current_user"
                   " AND pid <> pg_backend_pid()")  # fmt: skip
        else:
            sql = ("SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()"
                   " AND user = SUBSTRING_INDEX(USER(), '@', 1)")  # fmt: skip
        return {int(row[0]) for row in self._exec(sql)}

    def _kill_new(self, spared: set[int]) -> int:
        """Kill the connections opened since `spared` was taken (the load's): a host's are left alone."""
        return sum(self._kill(pid) for pid in self._connections() - spared)

    def _raw_load(self, engine: Any) -> Load:
        def plan(w: int, n: int) -> tuple[tuple[str, str], Any]:
            key = f"{self.prefix}load-{w}-{n}"

            def write() -> None:
                with engine.begin() as connection:
                    connection.exec_driver_sql(f"INSERT INTO {SCRATCH} (k, batch) VALUES ('{key}', {n})")

            return ("raw", key), write

        def read() -> None:
            with engine.connect() as connection:
                connection.exec_driver_sql(f"SELECT count(*) FROM {SCRATCH} WHERE k = 'none'").scalar()

        return Load(plan, read)

    def _restart(self) -> float:
        """Run MEMCORE_BENCH_RESTART (a command restarting the server); the raw side reconnects."""
        started = time.monotonic()
        subprocess.run(os.environ[RESTART_ENV], shell=True, check=True, capture_output=True, timeout=120)
        taken = time.monotonic() - started
        self._reopen()  # the raw engine's pooled connections died with the server, and so did `conn`
        return taken

    def _under_load(self, side: str, fault: str = "kill") -> int:
        from memcore.infrastructure.app import connect
        from memcore.infrastructure.settings import Settings
        from memcore.infrastructure.sqlalchemy.engine import build_engine

        spared = self._connections()
        if side == "ours":
            app = connect(self.settings.url, pool_size=5)
            load: Load = MemcoreLoad(app, prefix=f"{self.prefix}w")
        else:
            engine = build_engine(Settings(url=self.settings.url, pool_size=5))
            load = self._raw_load(engine)
        killed = unrecovered = 0
        outages, recoveries, restarts = [], [], []
        faults = self.rows if fault == "kill" else min(self.rows, MAX_RESTARTS)
        try:
            with load:
                time.sleep(0.3)
                for _ in range(faults):
                    moment = time.monotonic()
                    if fault == "kill":
                        killed += self._kill_new(spared)
                    else:
                        restarts.append(self._restart())
                    back = time.monotonic() if fault == "restart" else moment  # recovery counts from here
                    recovery = load.recovered_after(back)
                    unrecovered += recovery is None
                    recoveries.append(recovery or 0.0)
                    outages.append(load.outage_after(moment, back + (recovery or 30)))
                    time.sleep(0.2)
            if side == "ours":
                lost = len(load.lost())  # type: ignore[attr-defined]
            else:
                present = {k for (k,) in self._exec(f"SELECT k FROM {SCRATCH} WHERE k LIKE {self.mark}",
                                                    [f"{self.prefix}load-%"])}  # fmt: skip
                lost = sum(key not in present for _, key in load.acked)
        finally:
            app.close() if side == "ours" else engine.dispose()
        figures: dict[str, Any] = {"kills": faults, "connections_killed": killed} if fault == "kill" else {
            "restarts": faults, "restart_command_s": round(max(restarts, default=0.0), 3)}  # fmt: skip
        figures |= {
            "calls_ok": len(load.acked),
            "failed_calls": len(load.failures) + len(load.unknown),
            "commit_unknown": len(load.unknown),
            "outage_s": round(max(outages, default=0.0), 3),
            "time_to_recover_s": round(max(recoveries, default=0.0), 3),
            "unrecovered": unrecovered,
            "writes_lost": lost,
        }
        if side == "ours":
            figures["untyped_errors"] = sum(not isinstance(f, MemcoreError) for f in load.failures)
        self.figures.setdefault(f"under load {fault}", {}).update({f"{side}_{k}": v for k, v in figures.items()})
        return faults
