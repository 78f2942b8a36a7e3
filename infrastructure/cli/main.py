"""The `memcore` command: one-line errors and an exit code instead of tracebacks."""

import sys
from typing import Annotated

import typer

from memcore.domain.shared.errors import MemcoreError
from memcore.infrastructure.cli import catalog, chat, conflicts, db, ideas, knowledge, memory, sql, users
from memcore.infrastructure.cli.common import UrlOption
from memcore.infrastructure.cli.output import err_console

app = typer.Typer(
    help="memcore: the persistence core for AI-agent and chat applications.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(conflicts.app, name="conflicts")
app.add_typer(ideas.app, name="ideas")
app.add_typer(memory.app, name="memory")
app.add_typer(catalog.app, name="catalog")
app.add_typer(sql.app, name="sql")
app.add_typer(users.app, name="users")
app.add_typer(chat.app, name="chat")
app.add_typer(knowledge.app, name="knowledge")


@app.command()
def quickstart(url: UrlOption = None) -> None:
    """Migrate the database (default: SQLite memcore.db) and walk a scenario through every context."""
    from memcore.infrastructure.cli.quickstart import run_quickstart

    run_quickstart(url)


@app.command()
def bench(
    workload: Annotated[str, typer.Option(help="Which workload to run")] = "conflicts",
    url: UrlOption = None,
    rows: Annotated[int | None, typer.Option(min=1, help="Rows to load (default: the workload's own)")] = None,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds; medians are reported")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    vs_peers: Annotated[bool, typer.Option("--vs-peers", help="memcore against its peers (memcore[bench])")] = False,
    peers: Annotated[str | None, typer.Option(help="With --vs-peers: the groups, comma-separated")] = None,
    sizes: Annotated[str | None, typer.Option(help="Store sizes for scale curves, e.g. 1000,100000")] = None,
    markdown: Annotated[str | None, typer.Option(help="Also write the table as Markdown to this path")] = None,
    plot: Annotated[str | None, typer.Option(help="With --sizes: a PNG of the curves (memcore[plot])")] = None,
) -> None:
    """Measure a workload through memcore's use cases against the raw DB-API driver, in one run;
    or memcore against its peers (--vs-peers), or the cost curve over store sizes (--sizes)."""
    from memcore.infrastructure.bench.command import run_bench_command

    run_bench_command(workload, url, rows=rows, rounds=rounds, as_json=as_json, vs_peers=vs_peers, peers=peers,
                      sizes=sizes, markdown=markdown, plot=plot)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (usage errors: 2, memcore errors: 1)."""
    try:
        app(args=argv, prog_name="memcore")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except MemcoreError as exc:
        # A value echoed in the message may hold a lone surrogate (argv decodes bad bytes to them),
        # which a UTF-8 stream cannot take: show it escaped rather than fail while reporting.
        message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
        err_console.print(f"error: {message}", markup=False)
        return 1
    except (OSError, ValueError, OverflowError, RecursionError) as exc:
        # What a hostile argument can still raise below the use cases: a path too long or not
        # encodable, a number too big for C, JSON nested past Python's recursion limit. One line,
        # never a traceback; the message names the value's problem, not the database URL.
        message = f"{exc.__class__.__name__}: {str(exc)[:200]}".encode("utf-8", "backslashreplace").decode("utf-8")
        err_console.print(f"error: cannot use that argument ({message})", markup=False)
        return 1
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
