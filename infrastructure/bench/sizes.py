"""`memcore bench --sizes 1000,100000,...`: how each operation's cost grows with the store.

At each size the store is emptied and bulk-loaded (untimed: the raw driver's executemany in
50,000-row transactions), then a fixed number of each operation runs through memcore's use cases,
each timed alone: p50, p99 and throughput per operation. Peak RSS is the process's high-water mark
after the run (it never goes down, so it is the largest run's so far).
"""

import importlib
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from memcore.application.memory.commands import StoreMemory
from memcore.infrastructure.bench import conflicts as conflict_data
from memcore.infrastructure.bench.harness import percentile
from memcore.infrastructure.bench.memory_text import KEY_PREFIX
from memcore.infrastructure.bench.peers import utc_now
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.cli.output import console, print_json, print_table

OPS = 2_000
CHUNK = 50_000
BUDGET_S = 20.0  # an operation stops being timed after this many seconds (once it has MIN_OPS)
MIN_OPS = 20
USERS = 50  # the memory store's entries are spread over this many users' metadata


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _timed(work: Callable[[Any], Any], args: Sequence[Any], budget_s: float = BUDGET_S) -> dict[str, float]:
    """Each call timed alone; a slow operation stops after `budget_s` (and at least MIN_OPS calls),
    so a scan at a million rows keeps the run in minutes: `ops` says how many were timed."""
    clock, seconds, spent = time.perf_counter, [], 0.0
    for arg in args:
        start = clock()
        work(arg)
        seconds.append(clock() - start)
        spent += seconds[-1]
        if spent > budget_s and len(seconds) >= MIN_OPS:
            break
    return {
        "ops": len(seconds),
        "p50_ms": 1000 * percentile(seconds, 50),
        "p99_ms": 1000 * percentile(seconds, 99),
        "ops_per_s": len(seconds) / sum(seconds),
    }


class SizedWorkload(BenchWorkload):
    """A store of `rows` rows (`rows` = the size) and the operations timed on it."""

    table: str

    def load(self) -> float:
        """Empty the table, bulk-load `rows` rows; the seconds it took."""
        start = time.perf_counter()
        self._run(f"DELETE FROM {self.table}")
        self._write_chunks()
        self._analyze(self.table)
        return time.perf_counter() - start

    def _write_chunks(self) -> None:
        """Every chunk of `_chunks()` by executemany, one transaction each."""
        cursor = self.conn.cursor()
        for sql, chunk in self._chunks():
            if self.backend == "sqlite":
                cursor.execute("BEGIN")
            cursor.executemany(sql, chunk)
            self.conn.commit()
        cursor.close()

    def _chunks(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        raise NotImplementedError

    def operations(self) -> dict[str, tuple[Callable[[Any], Any], Sequence[Any]]]:
        raise NotImplementedError

    def _clear(self) -> None:
        self._run(f"DELETE FROM {self.table}")


class ConflictsAtSize(SizedWorkload):
    table = "conflicts"

    def _chunks(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        sql = f"INSERT INTO conflicts ({conflict_data.COLUMNS}) VALUES ({self._marks(16)})"
        on_sqlite = self.backend == "sqlite"
        for start in range(0, self.rows, CHUNK):
            ids = range(start, min(self.rows, start + CHUNK))
            yield sql, [conflict_data._params(conflict_data._command(i), on_sqlite) for i in ids]

    def operations(self) -> dict[str, tuple[Callable[[Any], Any], Sequence[Any]]]:
        s, n = self.services, self.rows
        step = max(1, n // OPS)
        new = [conflict_data._command(n + i) for i in range(OPS)]
        users = [f"bench-user-{i % conflict_data.USERS}" for i in range(OPS)]
        return {
            "get": (s.get_conflict, [f"c-{i}" for i in range(0, n, step)][:OPS]),
            "pending": (lambda user: s.pending_conflicts(user, limit=conflict_data.PAGE), users),
            "record": (s.bus.handle, new),
        }


class MemoryAtSize(SizedWorkload):
    table = "ltm_entries"

    def load(self) -> float:
        if self.backend == "mysql":
            from memcore.infrastructure.sqlalchemy.tables import LTM_SEARCH

            self._run("SET FOREIGN_KEY_CHECKS = 0", f"TRUNCATE TABLE {LTM_SEARCH.side}", "TRUNCATE TABLE ltm_entries",
                      "SET FOREIGN_KEY_CHECKS = 1")  # fmt: skip
        return super().load()

    def _clear(self) -> None:
        if self.backend == "postgresql":
            self._run("TRUNCATE TABLE ltm_entries CASCADE")
        else:
            super()._clear()

    def _chunks(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        key = self.raw_engine.dialect.identifier_preparer.quote("key")
        sql = f"INSERT INTO ltm_entries ({key}, value, metadata, created_at, updated_at) VALUES ({self._marks(5)})"
        base = datetime(2024, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        on_sqlite = self.backend == "sqlite"

        def stamp(i: int) -> Any:  # one entry a millisecond, as a store written over time has them
            when = base + timedelta(milliseconds=i)
            return when.isoformat(sep=" ", timespec="microseconds") if on_sqlite else when

        for start in range(0, self.rows, CHUNK):
            yield sql, [
                (f"{KEY_PREFIX}{i}", json.dumps({"text": f"note {i} about item {i % 977}"}),
                 json.dumps({"user": f"user{i % USERS}"}), stamp(i), stamp(i))
                for i in range(start, min(self.rows, start + CHUNK))
            ]  # fmt: skip

    def operations(self) -> dict[str, tuple[Callable[[Any], Any], Sequence[Any]]]:
        s, n = self.services, self.rows
        step = max(1, n // OPS)
        new = [StoreMemory(f"{KEY_PREFIX}new-{i}", {"text": f"fresh {i}"}, {"user": "user1"}) for i in range(OPS)]
        users = [{"user": f"user{i % USERS}"} for i in range(OPS)]
        # A filter no entry matches reads every candidate the index gives it (all of them without
        # one): timed fewer times as the store grows, so a million-row run stays in minutes.
        nobody = [{"user": "nobody"}] * max(5, min(OPS, OPS * 1_000 // n))
        return {
            "get": (s.memory.get, [f"{KEY_PREFIX}{i}" for i in range(0, n, step)][:OPS]),
            "search_filter": (lambda where: s.memory.search(metadata_filter=where, limit=10), users),
            "search_filter_none": (lambda where: s.memory.search(metadata_filter=where, limit=10), nobody),
            "store": (s.bus.handle, new),
        }


def size_workloads() -> dict[str, type[SizedWorkload]]:
    """Every sized workload by name (the others live in sizes_more, sizes_metrics and sizes_agents,
    which build on this module; the LangGraph ones with the adapter, when its extra is installed)."""
    from memcore.infrastructure.bench.sizes_agents import AGENTS
    from memcore.infrastructure.bench.sizes_metrics import EXTRA
    from memcore.infrastructure.bench.sizes_more import MORE

    return {"conflicts": ConflictsAtSize, "memory": MemoryAtSize, **MORE, **EXTRA, **AGENTS, **_integrations()}


def _integrations() -> dict[str, type[SizedWorkload]]:
    """The sized workloads of the optional adapters (memcore.integrations.<name>.bench_sizes),
    found by name so the core never imports them; none when the adapter's extra is missing."""
    try:
        module = importlib.import_module("memcore.integrations.langgraph.bench_sizes")
    except ImportError:
        return {}
    return dict(module.SIZED)


def run_sizes(url: str | None, sizes: list[int], *, workloads: list[str] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"mode": "sizes", "ops": OPS, "measured_at": utc_now(), "runs": []}
    known = size_workloads()
    for name in workloads or list(known):
        for size in sizes:
            with known[name](url, size) as bench:
                load_s = bench.load()
                operations = [
                    {"name": op, **_timed(work, args)} for op, (work, args) in bench.operations().items()
                ]  # fmt: skip
                bench._clear()
                report.update(dialect=bench.dialect, url=bench.masked_url)
            report["runs"].append({"workload": name, "size": size, "load_s": load_s,
                                   "peak_rss_mb": _peak_rss_mb(), "operations": operations})  # fmt: skip
    return report


COLUMNS = ["dialect", "workload", "operation", "rows", "timed", "p50 ms", "p99 ms", "ops/s", "peak RSS MB"]


def rows_of(report: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"dialect": report["dialect"], "workload": run["workload"], "operation": op["name"],
         "rows": f"{run['size']:,}", "timed": f"{op.get('ops', report['ops']):,}",
         "p50 ms": f"{op['p50_ms']:.3f}", "p99 ms": f"{op['p99_ms']:.3f}",
         "ops/s": f"{op['ops_per_s']:,.0f}", "peak RSS MB": f"{run['peak_rss_mb']:.0f}"}
        for run in report["runs"]
        for op in run["operations"]
    ]  # fmt: skip


def print_sizes(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    console.print(f"scale curves on {report['dialect']}: {report['ops']} operations of each kind per size")
    print_table("each operation timed alone through memcore's use cases", COLUMNS, rows_of(report))
