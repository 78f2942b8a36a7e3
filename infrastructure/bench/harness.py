"""`memcore bench`: each phase of a workload timed through memcore's use cases and the raw driver.

Both sides run in the same process, on the same database, in every round; the report gives the
medians over the rounds. This is the one place memcore measures speed.
"""

import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self

import attrs
import sqlalchemy
from rich.markup import escape

from domain.shared.errors import InvalidInput
from infrastructure.cli.output import console, print_json, print_table


def _nothing() -> None:
    return None


@attrs.frozen
class Phase:
    """One kind of work done `ops` times, by memcore (`ours`) and by the raw driver (`raw`).

    `before` runs untimed before each side, `after` untimed after it. What a side returns, paired
    with what `after` returns, must be equal for both sides: a benchmark of different work is useless.
    """

    name: str
    ops: int
    ours: Callable[[], Any]
    raw: Callable[[], Any]
    before: Callable[[], Any] = _nothing
    after: Callable[[], Any] = _nothing


class Workload(Protocol):
    dialect: str
    masked_url: str

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def start_round(self) -> None: ...
    def phases(self) -> Sequence[Phase]: ...


@attrs.frozen
class WorkloadKind:
    default_rows: int
    open: Callable[[str | None, int], Workload]


def workloads() -> dict[str, WorkloadKind]:
    """The registry. Workload modules import `Phase` from here, so they are imported on demand."""
    from infrastructure.bench import chat, checkpoints, conflicts, ideas, sql

    return {
        "chat": WorkloadKind(chat.DEFAULT_ROWS, chat.ChatWorkload),
        "checkpoints": WorkloadKind(checkpoints.DEFAULT_ROWS, checkpoints.CheckpointsWorkload),
        "conflicts": WorkloadKind(conflicts.DEFAULT_ROWS, conflicts.ConflictsWorkload),
        "ideas": WorkloadKind(ideas.DEFAULT_ROWS, ideas.IdeasWorkload),
        "sql": WorkloadKind(sql.DEFAULT_ROWS, sql.SqlWorkload),
    }


def run_bench(workload: str, url: str | None, *, rows: int | None, rounds: int, as_json: bool) -> None:
    known = workloads()
    if workload not in known:
        raise InvalidInput(f"unknown workload {workload!r}; known: {', '.join(sorted(known))}")
    if rounds < 1 or (rows is not None and rows < 1):
        raise InvalidInput("rows and rounds must be at least 1")
    kind = known[workload]
    rows = kind.default_rows if rows is None else rows
    timings: dict[str, dict[str, Any]] = {}
    with kind.open(url, rows) as bench:
        for round_no in range(rounds):
            bench.start_round()
            for phase in bench.phases():
                ours_s, raw_s = _run_phase(phase, raw_first=round_no % 2 == 1)
                entry = timings.setdefault(phase.name, {"ops": phase.ops, "ours": [], "raw": []})
                entry["ours"].append(ours_s)
                entry["raw"].append(raw_s)
        report = {
            "workload": workload,
            "dialect": bench.dialect,
            "url": bench.masked_url,
            "rows": rows,
            "rounds": rounds,
            "python": platform.python_version(),
            "sqlalchemy": sqlalchemy.__version__,
            "phases": [_summary(name, t["ops"], t["ours"], t["raw"]) for name, t in timings.items()],
        }
    print_json(report) if as_json else _print_report(report)


def _run_phase(phase: Phase, *, raw_first: bool) -> tuple[float, float]:
    """Seconds taken by ours and by raw. The order alternates by round so neither always runs warm."""
    sides = {"ours": phase.ours, "raw": phase.raw}
    seconds: dict[str, float] = {}
    outcomes: dict[str, Any] = {}
    for side in ("raw", "ours") if raw_first else ("ours", "raw"):
        phase.before()
        start = time.perf_counter()
        result = sides[side]()
        seconds[side] = time.perf_counter() - start
        outcomes[side] = (result, phase.after())
    if outcomes["ours"] != outcomes["raw"]:
        # Not an `assert`: this check must survive `python -O`.
        raise AssertionError(
            f"phase {phase.name!r}: ours and raw did different work: {outcomes['ours']!r} != {outcomes['raw']!r}"
        )
    return seconds["ours"], seconds["raw"]


def _summary(name: str, ops: int, ours: list[float], raw: list[float]) -> dict[str, Any]:
    ours_s, raw_s = statistics.median(ours), statistics.median(raw)
    return {
        "name": name,
        "ops": ops,
        "ours_s": ours_s,
        "raw_s": raw_s,
        "ours_ops_per_s": ops / ours_s,
        "raw_ops_per_s": ops / raw_s,
        "ratio": ours_s / raw_s,
        "pct_of_raw": 100 * raw_s / ours_s,
    }


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
