"""`memcore bench`: each phase of a workload timed through memcore's use cases and the raw driver.

Both sides run in the same process, on the same database, in every round; the report gives the
medians over the rounds. This is the one place memcore measures speed.
"""

import importlib
import math
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import sqlalchemy
from rich.markup import escape

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.bench import chat, checkpoints, conflicts, copy, ideas, memory, metrics, sessions, sql
from memcore.infrastructure.bench.phase import Phase, Workload
from memcore.infrastructure.cli.output import console, print_json, print_table


@attrs.frozen
class WorkloadKind:
    default_rows: int
    open: Callable[[str | None, int], Workload]


def workloads() -> dict[str, WorkloadKind]:
    """The registry of workloads by name."""
    return {
        "chat": WorkloadKind(chat.DEFAULT_ROWS, chat.ChatWorkload),
        "checkpoints": WorkloadKind(checkpoints.DEFAULT_ROWS, checkpoints.CheckpointsWorkload),
        "conflicts": WorkloadKind(conflicts.DEFAULT_ROWS, conflicts.ConflictsWorkload),
        "ideas": WorkloadKind(ideas.DEFAULT_ROWS, ideas.IdeasWorkload),
        "copy": WorkloadKind(copy.DEFAULT_ROWS, copy.CopyWorkload),
        "memory": WorkloadKind(memory.DEFAULT_ROWS, memory.MemoryWorkload),
        "metrics": WorkloadKind(metrics.DEFAULT_ROWS, metrics.MetricsWorkload),
        "sessions": WorkloadKind(sessions.DEFAULT_ROWS, sessions.SessionsWorkload),
        "sql": WorkloadKind(sql.DEFAULT_ROWS, sql.SqlWorkload),
        "faults": WorkloadKind(5, lambda u, r: importlib.import_module(f"{__package__}.faults").FaultsWorkload(u, r)),
    }


# Workloads of the optional framework adapters live with them, above the layers, as
# memcore.integrations.<name>.bench (DEFAULT_ROWS and a Workload class): found by name when asked
# for, so the core never imports them and runs without their extras.
INTEGRATION_WORKLOADS = {"langgraph": "LanggraphWorkload"}


def _integration_workload(name: str) -> WorkloadKind:
    try:
        module = importlib.import_module(f"memcore.integrations.{name}.bench")
    except ImportError as exc:
        raise InvalidInput(f"the {name} workload needs its extra: {exc}") from None
    return WorkloadKind(module.DEFAULT_ROWS, getattr(module, INTEGRATION_WORKLOADS[name]))


def run_bench(workload: str, url: str | None, *, rows: int | None, rounds: int, as_json: bool) -> None:
    known = workloads()
    if workload not in known and workload not in INTEGRATION_WORKLOADS:
        names = sorted([*known, *INTEGRATION_WORKLOADS])
        raise InvalidInput(f"unknown workload {workload!r}; known: {', '.join(names)}")
    if rounds < 1 or (rows is not None and rows < 1):
        raise InvalidInput("rows and rounds must be at least 1")
    kind = known[workload] if workload in known else _integration_workload(workload)
    rows = kind.default_rows if rows is None else rows
    dialect, masked_url, phases = measure(kind.open, url, rows, rounds)
    report = {
        "workload": workload,
        "dialect": dialect,
        "url": masked_url,
        "rows": rows,
        "rounds": rounds,
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "phases": phases,
    }
    print_json(report) if as_json else _print_report(report)


def measure(
    open_workload: Callable[[str | None, int], Workload], url: str | None, rows: int, rounds: int
) -> tuple[str, str, list[dict[str, Any]]]:
    """The workload's phases, each run `rounds` times by both sides: (dialect, masked url, summaries)."""
    timings: dict[str, dict[str, Any]] = {}
    with open_workload(url, rows) as bench:
        for round_no in range(rounds):
            bench.start_round()
            for phase in bench.phases():
                seconds, latencies = _run_phase(phase, raw_first=round_no % 2 == 1)
                entry = timings.setdefault(phase.name, {"phase": phase, "ours": [], "raw": [], "latencies": []})
                entry["ours"].append(seconds["ours"])
                entry["raw"].append(seconds["raw"])
                entry["latencies"].append(latencies)
        phases = [_summary(t["phase"], t["ours"], t["raw"], t["latencies"]) for t in timings.values()]
        return bench.dialect, bench.masked_url, phases


def _run_phase(phase: Phase, *, raw_first: bool) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Seconds taken by ours and by raw (and each op's, for latency phases). The order alternates by
    round so neither always runs warm."""
    sides = {"ours": phase.ours, "raw": phase.raw}
    seconds: dict[str, float] = {}
    latencies: dict[str, list[float]] = {}
    outcomes: dict[str, Any] = {}
    for side in ("raw", "ours") if raw_first else ("ours", "raw"):
        phase.before()
        start = time.perf_counter()
        result = sides[side]()
        seconds[side] = time.perf_counter() - start
        if phase.latencies:
            result, latencies[side] = result
        outcomes[side] = (result, phase.after())
    if outcomes["ours"] != outcomes["raw"]:
        # Not an `assert`: this check must survive `python -O`.
        raise AssertionError(
            f"phase {phase.name!r}: ours and raw did different work: {outcomes['ours']!r} != {outcomes['raw']!r}"
        )
    return seconds, latencies


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(pct / 100 * len(ordered)))) - 1]


def _summary(
    phase: Phase, ours: list[float], raw: list[float], latencies: list[dict[str, list[float]]]
) -> dict[str, Any]:
    ours_s, raw_s = statistics.median(ours), statistics.median(raw)
    ops, raw_ops = phase.ops, phase.ops if phase.raw_ops is None else phase.raw_ops
    ratio = (ours_s / ops) / (raw_s / raw_ops)
    summary: dict[str, Any] = {
        "name": phase.name,
        "ops": ops,
        "ours_s": ours_s,
        "raw_s": raw_s,
        "ours_ops_per_s": ops / ours_s,
        "raw_ops_per_s": raw_ops / raw_s,
        "ratio": ratio,
        "pct_of_raw": 100 / ratio,
    }
    if phase.raw_ops is not None:
        summary["raw_ops"] = raw_ops
    if phase.latencies:
        for side in ("ours", "raw"):
            for pct in (50, 95):
                per_round = [percentile(round_[side], pct) for round_ in latencies]
                summary[f"{side}_p{pct}_ms"] = 1000 * statistics.median(per_round)
        summary["speedup_p50"] = summary["raw_p50_ms"] / summary["ours_p50_ms"]
    if phase.target is not None:
        value = summary[phase.target.metric]
        summary["target"] = {"metric": phase.target.metric, "min": phase.target.minimum,
                             "met": value >= phase.target.minimum}  # fmt: skip
    if phase.note:
        summary["note"] = phase.note
    if phase.extras is not None:
        summary.update(phase.extras())
    return summary


def _print_report(report: dict[str, Any]) -> None:
    console.print(
        f"[bold]{escape(report['workload'])}[/bold] on {report['dialect']} ({escape(report['url'])}): "
        f"{report['rows']} rows, median of {report['rounds']} round(s); "
        f"Python {report['python']}, SQLAlchemy {report['sqlalchemy']}"
    )
    rows = [
        {
            "phase": p["name"],
            "ops": p["ops"],
            "ours s": f"{p['ours_s']:.4f}",
            "raw s": f"{p['raw_s']:.4f}",
            "ours ops/s": f"{p['ours_ops_per_s']:,.0f}",
            "raw ops/s": f"{p['raw_ops_per_s']:,.0f}",
            "ours/raw": f"{p['ratio']:.2f}x",
            "% of raw": f"{p['pct_of_raw']:.0f}%",
        }
        for p in report["phases"]
    ]
    columns = ["phase", "ops", "ours s", "raw s", "ours ops/s", "raw ops/s", "ours/raw", "% of raw"]
    print_table("ours = memcore's use cases, raw = the DB-API driver", columns, rows)
    for p in report["phases"]:
        if "speedup_p50" in p:
            console.print(
                f"{escape(p['name'])}: p50 {p['ours_p50_ms']:.3f} ms ours vs {p['raw_p50_ms']:.3f} ms raw "
                f"({p['speedup_p50']:.1f}x), p95 {p['ours_p95_ms']:.3f} ms vs {p['raw_p95_ms']:.3f} ms"
            )
        if "target" in p:
            t = p["target"]
            verdict = "met" if t["met"] else "[bold red]MISSED[/bold red]"
            console.print(f"{escape(p['name'])}: target {t['metric']} >= {t['min']:g}: {p[t['metric']]:.2f}, {verdict}")
        if "note" in p:
            console.print(f"{escape(p['name'])}: {escape(p['note'])}")
        for key in sorted(k for k in p if k.endswith("_mb")):
            console.print(f"{escape(p['name'])}: {key.replace('_', ' ')} {p[key]:.1f}")
