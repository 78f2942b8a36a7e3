"""The results page: the --vs-peers and --sizes reports as Markdown tables, the curves as a PNG."""

import os
import platform
from typing import Any

from memcore.domain.shared.errors import InvalidInput

PLOT_EXTRA = "--plot needs matplotlib: pip install 'memcore[plot]'"


def machine() -> str:
    """Where the numbers came from, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{_memory()}, {system}, Python {platform.python_version()}"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = next((int(line.split()[1]) for line in info if line.startswith("MemTotal:")), 0)
    except (OSError, ValueError):
        return ""
    return f", {round(kib / 1024 / 1024)} GiB" if kib else ""


def table(columns: list[str], rows: list[dict[str, str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(columns), line(["---"] * len(columns)), *(line([r[c] for c in columns]) for r in rows)])


def vs_peers_markdown(report: dict[str, Any]) -> str:
    from memcore.infrastructure.bench.vs_peers import COLUMNS, rows_of

    head = (f"memcore against its peers on {report['dialect']}, median of {report['rounds']} interleaved "
            f"round(s), measured {report['measured_at']} on {machine()}.")  # fmt: skip
    return f"{head}\n\n{table(COLUMNS, rows_of(report))}\n"


def sizes_markdown(report: dict[str, Any]) -> str:
    from memcore.infrastructure.bench.sizes import COLUMNS, rows_of

    head = (f"Scale curves on {report['dialect']}: {report['ops']} timed operations of each kind at each store "
            f"size, measured {report['measured_at']} on {machine()}.")  # fmt: skip
    return f"{head}\n\n{table(COLUMNS, rows_of(report))}\n"


def require_matplotlib() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InvalidInput(PLOT_EXTRA) from None
    return plt


def plot_sizes(report: dict[str, Any], path: str) -> None:
    """p50 latency against store size, one line per workload operation, log-log."""
    plt = require_matplotlib()
    curves: dict[str, list[tuple[int, float]]] = {}
    for run in report["runs"]:
        for op in run["operations"]:
            curves.setdefault(f"{run['workload']}.{op['name']}", []).append((run["size"], op["p50_ms"]))
    # Past ten curves the colours repeat: the line style tells them apart; the legend sits outside.
    figure, axes = plt.subplots(figsize=(8 + 3 * (len(curves) > 14), 5.5))
    for n, (label, points) in enumerate(sorted(curves.items())):
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label,
                  linestyle=("-", "--", ":")[n // 10 % 3])  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("rows in the store")
    axes.set_ylabel("p50 latency (ms)")
    axes.set_title(f"memcore on {report['dialect']}")
    axes.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1), ncol=1 + (len(curves) > 14))
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
