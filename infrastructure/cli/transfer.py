"""`memcore db export | import | copy | verify`: move a store between databases, with a progress bar."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from memcore.application.transfer.service import TransferReport, VerifyReport
from memcore.infrastructure.cli.output import console, err_console, print_json, print_table
from memcore.infrastructure.transfer import api
from memcore.infrastructure.transfer.adopt import adopt as adopt_database

ContextOption = Annotated[
    list[str] | None,
    typer.Option(
        "--context", help="Only this context (repeatable): conflicts, ideas, memory, conversations, checkpoints"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (no progress bar)")]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Rows per batch")]
ReplaceOption = Annotated[
    bool, typer.Option("--replace", help="Overwrite memcore's tables in a destination holding data")
]


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s")


class _Bar:
    """The use cases' Progress port as a rich progress bar on stderr, shown only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        columns = (
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeRemainingColumn(),
        )
        self._progress = Progress(*columns, console=err_console, disable=not enabled, transient=False)
        self._task = None

    def __enter__(self) -> "_Bar":
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def table(self, name: str, total: int) -> None:
        self._task = self._progress.add_task(name, total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)


def _bar(as_json: bool) -> _Bar:
    return _Bar(enabled=not as_json and err_console.is_terminal)


def _print_verify(report: VerifyReport) -> None:
    rows = [
        {"table": t, "rows": f"{a.rows} / {b.rows}", "same": "yes" if a == b else "NO"}
        for t, (a, b) in report.digests.items()
    ]
    print_table("row counts and checksums, each side", ["table", "rows", "same"], rows)
    for difference in report.differences:
        err_console.print(f"differs: {difference}", markup=False)
    console.print("the stores match" if report.ok else "[bold red]the stores differ[/bold red]")


def _finish(report: TransferReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
    else:
        data = report.to_dict()
        console.print(
            f"{data['total_rows']:,} rows from {report.source} to {report.destination} "
            f"in {data['seconds']:.1f} s ({data['rows_per_s'] or 0:,.0f} rows/s)", markup=False
        )  # fmt: skip
        _print_verify(report.verify)
    if not report.verify.ok:
        raise typer.Exit(1)


def export(
    url: Annotated[str, typer.Argument(help="The database to back up")],
    out: Annotated[Path, typer.Argument(help="The archive to write (a .zip)")],
    context: ContextOption = None,
    batch_size: BatchOption = api.DEFAULT_BATCH,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing archive")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write one consistent snapshot of URL to the archive OUT (a manifest and one stream per table)."""
    with _bar(as_json) as bar:
        manifest = api.export_store(
            url, out, contexts=context, batch_size=batch_size, overwrite=overwrite, progress=bar
        )
    if as_json:
        print_json({"archive": str(out), **manifest})
    else:
        total = sum(entry["rows"] for entry in manifest["tables"].values())
        console.print(f"{total:,} rows in {len(manifest['tables'])} tables written to {out}", markup=False)


def import_(
    archive: Annotated[Path, typer.Argument(help="An archive written by `memcore db export`")],
    url: Annotated[str, typer.Argument(help="The database to restore into (migrated first)")],
    context: ContextOption = None,
    replace: ReplaceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Restore ARCHIVE into URL, then verify every table against the archive's checksums."""
    with _bar(as_json) as bar:
        report = api.import_store(archive, url, contexts=context, replace=replace, progress=bar)
    _finish(report, as_json)


def copy(
    source: Annotated[str, typer.Argument(help="The database to copy from")],
    destination: Annotated[str, typer.Argument(help="The database to copy into (migrated first)")],
    context: ContextOption = None,
    replace: ReplaceOption = False,
    batch_size: BatchOption = api.DEFAULT_BATCH,
    as_json: JsonOption = False,
) -> None:
    """Stream one snapshot of SOURCE into DESTINATION in one transaction, then verify it."""
    with _bar(as_json) as bar:
        report = api.copy_store(source, destination, contexts=context, replace=replace, batch_size=batch_size,
                                progress=bar)  # fmt: skip
    _finish(report, as_json)


def verify(
    a: Annotated[str, typer.Argument(help="One database")],
    b: Annotated[str, typer.Argument(help="The other")],
    context: ContextOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare two stores' row counts and checksums per table; exit 1 and name the first differing row."""
    report = api.verify_stores(a, b, contexts=context)
    print_json(report.to_dict()) if as_json else _print_verify(report)
    if not report.ok:
        raise typer.Exit(1)


def adopt(
    url: Annotated[str, typer.Argument(help="An existing database of a store memcore replaces")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan, change nothing")] = False,
    as_json: JsonOption = False,
) -> None:
    """Open URL in place: keep the replaced store's tables and rows, add what memcore needs, stamp the revision."""
    with api.engine(url) as engine:
        found = adopt_database(engine, dry_run=dry_run)
    if as_json:
        print_json({**found.to_dict(), "applied": not dry_run})
        return
    for table in found.tables:
        console.print(table.describe(), markup=False)
    if found.others:
        console.print(f"other tables, left alone: {', '.join(found.others)}", markup=False)
    if found.kept:
        console.print(f"the adopted tables keep their original types and constraints: {', '.join(found.kept)}",
                      markup=False)  # fmt: skip
    verb = "would be" if dry_run else "is now"
    console.print(f"{found.url} {verb} at memcore's revision {found.head}", markup=False)
