"""The scale-curve page from several `--sizes --json` reports (runs of one dialect may be split, one
workload and size a process, to keep each run short):

    python -m memcore.infrastructure.bench.sizes_page OUT.md REPORT.json...

writes one table per dialect, an operation a row and a size a column, each cell "p50 / p99 ms /
ops/s", with the peak RSS of each run and the machine; with matplotlib, OUT-<dialect>.png beside it.
"""

import json
import sys
from pathlib import Path
from typing import Any

from memcore.infrastructure.bench.report import machine, plot_sizes, table


def merged(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One report per dialect holding every run; a later run of the same workload and size wins."""
    out: dict[str, dict[str, Any]] = {}
    for report in reports:
        into = out.setdefault(report["dialect"], {"dialect": report["dialect"], "ops": report["ops"], "runs": {},
                                                  "measured": []})  # fmt: skip
        into["measured"].append(report["measured_at"])
        for run in report["runs"]:
            into["runs"][(run["workload"], run["size"])] = run
    for into in out.values():
        into["runs"] = sorted(into["runs"].values(), key=lambda run: (run["workload"], run["size"]))
    return out


def _cell(op: dict[str, Any]) -> str:
    return f"{op['p50_ms']:.3g} / {op['p99_ms']:.3g} / {op['ops_per_s']:,.0f}"


def pivot(report: dict[str, Any]) -> str:
    """Operation x size: "p50 ms / p99 ms / ops/s", then each run's peak RSS and load time."""
    sizes = sorted({run["size"] for run in report["runs"]})
    heads = [f"{size:,}" for size in sizes]
    cells: dict[str, dict[str, str]] = {}
    for run in report["runs"]:
        for op in run["operations"]:
            timed = op.get("ops", report["ops"])
            mark = "" if timed == report["ops"] else f" ({timed} timed)"
            cells.setdefault(f"{run['workload']} {op['name']}", {})[f"{run['size']:,}"] = _cell(op) + mark
    rows = [{"operation": name, **{h: got.get(h, "not run") for h in heads}} for name, got in cells.items()]
    rss: dict[str, dict[str, str]] = {}
    for run in report["runs"]:
        rss.setdefault(run["workload"], {})[f"{run['size']:,}"] = f"{run['peak_rss_mb']:.0f} MB, {run['load_s']:.0f} s"
    rss_rows = [{"workload": name, **{h: got.get(h, "-") for h in heads}} for name, got in rss.items()]
    return (f"{table(['operation', *heads], rows)}\n\npeak RSS and bulk-load time of each run:\n\n"
            f"{table(['workload', *heads], rss_rows)}\n")  # fmt: skip


def page(reports: list[dict[str, Any]], plots: Path | None = None) -> str:
    parts = [f"Measured on {machine()}; cells are p50 ms / p99 ms / ops/s.\n"]
    for dialect, report in merged(reports).items():
        when = f"{min(report['measured'])} to {max(report['measured'])}"
        parts.append(f"### {dialect}\n\nRuns from {when}.\n\n{pivot(report)}")
        if plots is not None:
            path = plots.with_name(f"{plots.stem}-{dialect}.png")
            plot_sizes(report, str(path))
            parts.append(f"![{dialect} p50 by store size]({path.name})\n")
    return "\n".join(parts)


def main(argv: list[str]) -> None:
    out, *inputs = argv
    reports = [json.loads(Path(name).read_text(encoding="utf-8")) for name in inputs]
    try:
        import matplotlib  # noqa: F401

        plots: Path | None = Path(out)
    except ImportError:
        plots = None
    Path(out).write_text(page(reports, plots), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
