"""Running the peer groups of `memcore bench --vs-peers` and reporting memcore/peer per operation."""

import platform
from typing import Any

import sqlalchemy
from rich.markup import escape

from memcore.infrastructure.bench import peers
from memcore.infrastructure.bench.harness import measure
from memcore.infrastructure.cli.output import console, print_json, print_table


def run_vs_peers(url: str | None, *, rows: int | None, rounds: int, groups: list[str] | None = None) -> dict[str, Any]:
    """Every peer group (or those named) on `url`: the report, peers that cannot run included."""
    report: dict[str, Any] = {
        "mode": "vs-peers",
        "rounds": rounds,
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "measured_at": peers.utc_now(),
        "groups": [],
    }
    for name in groups or list(peers.GROUPS):
        peer, default_rows, open_group = peers.GROUPS[name]
        n = default_rows if rows is None else rows
        entry: dict[str, Any] = {"group": name, "peer": peer, "rows": n}
        try:
            dialect, masked_url, phases = measure(open_group, url, n, rounds)
        except peers.PeerUnavailable as exc:
            entry.update(status="unavailable", reason=str(exc))
        else:
            report.update(dialect=dialect, url=masked_url)
            entry.update(status="ran", phases=[_with_ratio(p) for p in phases])
        report["groups"].append(entry)
    if "dialect" not in report:
        report.update(_dialect_of(url))
    return report


def _dialect_of(url: str | None) -> dict[str, str]:
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine
    from memcore.infrastructure.sqlalchemy.raw_sql import dialect_label

    settings = Settings.from_env().with_url(url)
    engine = build_engine(settings)
    try:
        with engine.connect():
            return {"dialect": dialect_label(engine.dialect), "url": settings.masked_url}
    finally:
        engine.dispose()


def _with_ratio(phase: dict[str, Any]) -> dict[str, Any]:
    """The phase with `memcore_vs_peer`: memcore's throughput over the peer's (2.0 = twice as fast)."""
    return {**phase, "memcore_vs_peer": phase["pct_of_raw"] / 100}


def rows_of(report: dict[str, Any]) -> list[dict[str, str]]:
    """The table's rows: one per operation, or one saying why the peer did not run."""
    rows = []
    for group in report["groups"]:
        if group["status"] != "ran":
            rows.append({"dialect": report["dialect"], "operation": f"{group['group']} (all)", "peer": group["peer"],
                         "memcore ops/s": "-", "peer ops/s": "-", "memcore/peer": f"not run: {group['reason']}",
                         "target 1.5x": "-"})  # fmt: skip
            continue
        for p in group["phases"]:
            rows.append({"dialect": report["dialect"], "operation": p["name"], "peer": group["peer"],
                         "memcore ops/s": f"{p['ours_ops_per_s']:,.0f}", "peer ops/s": f"{p['raw_ops_per_s']:,.0f}",
                         "memcore/peer": f"{p['memcore_vs_peer']:.2f}x",
                         "target 1.5x": "met" if p["memcore_vs_peer"] >= 1.5 else "MISSED"})  # fmt: skip
    return rows


COLUMNS = ["dialect", "operation", "peer", "memcore ops/s", "peer ops/s", "memcore/peer", "target 1.5x"]


def print_vs_peers(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    console.print(f"memcore against its peers on {report['dialect']} ({escape(report['url'])}), "
                  f"median of {report['rounds']} interleaved round(s)")  # fmt: skip
    print_table("memcore/peer = memcore's throughput over the peer's", COLUMNS, rows_of(report))
