"""`memcore bench`: which of its modes runs, from the command's options."""

from pathlib import Path

from memcore.domain.shared.errors import InvalidInput


def _names(text: str | None, known: list[str], what: str) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise InvalidInput(f"unknown {what} {', '.join(unknown) or repr(text)}; known: {', '.join(known)}")
    return names


def sizes_of(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(f"sizes are whole numbers separated by commas, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise InvalidInput(f"sizes are at least 1, got {text!r}")
    return sizes


def run_bench_command(
    workload: str,
    url: str | None,
    *,
    rows: int | None,
    rounds: int,
    as_json: bool,
    vs_peers: bool = False,
    peers: str | None = None,
    sizes: str | None = None,
    markdown: str | None = None,
    plot: str | None = None,
) -> None:
    from memcore.infrastructure.bench import report

    if vs_peers and sizes is not None:
        raise InvalidInput("--vs-peers and --sizes are separate runs")
    if plot is not None and sizes is None:
        raise InvalidInput("--plot draws the scale curves: give --sizes too")
    if plot is not None:
        report.require_matplotlib()
    if vs_peers:
        from memcore.infrastructure.bench import peers as peer_groups
        from memcore.infrastructure.bench.vs_peers import print_vs_peers, run_vs_peers

        groups = _names(peers, list(peer_groups.GROUPS), "peer group")
        result = run_vs_peers(url, rows=rows, rounds=rounds, groups=groups)
        print_vs_peers(result, as_json=as_json)
        if markdown is not None:
            Path(markdown).write_text(report.vs_peers_markdown(result), encoding="utf-8")
        return
    if peers is not None:
        raise InvalidInput("--peers goes with --vs-peers")
    if sizes is not None:
        from memcore.infrastructure.bench.sizes import print_sizes, run_sizes, size_workloads

        wanted = None if workload == "all" else _names(workload, list(size_workloads()), "sized workload")
        result = run_sizes(url, sizes_of(sizes), workloads=wanted)
        print_sizes(result, as_json=as_json)
        if markdown is not None:
            Path(markdown).write_text(report.sizes_markdown(result), encoding="utf-8")
        if plot is not None:
            report.plot_sizes(result, plot)
        return
    if markdown is not None:
        raise InvalidInput("--markdown writes the --vs-peers or --sizes table")
    from memcore.infrastructure.bench.harness import run_bench

    run_bench(workload, url, rows=rows, rounds=rounds, as_json=as_json)
