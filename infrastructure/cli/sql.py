"""`memcore sql`: a host application's SQL-file migrations, and one-off statements."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.cli.common import JsonOption, UrlOption
from memcore.infrastructure.cli.output import console, print_json, print_table
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.database import Database

app = typer.Typer(help="Run SQL-file migrations and raw SQL with named parameters.", no_args_is_help=True)

ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="name=value (a string) or name:=JSON (a number, list, null ...); repeat for more",
        show_default=False,
    ),
]


def _database(url: str | None) -> Database:
    return Database(Settings.from_env().with_url(url).url)


def _params(items: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip(":"):
            raise InvalidInput(f"parameter {item!r} is not name=value or name:=JSON")
        if name.endswith(":"):
            name = name[:-1]
            try:
                params[name] = json.loads(value)
            except json.JSONDecodeError:
                raise InvalidInput(f"parameter {name} is not valid JSON: {value!r}") from None
        else:
            params[name] = value
    return params


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # decimals, dates, UUIDs: as the database printed them


@app.command()
def migrate(
    directory: Annotated[Path, typer.Argument(help="Folder of V<n>__<name>[.<dialect>].sql files")],
    url: UrlOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would run; change nothing")] = False,
    as_json: JsonOption = False,
) -> None:
    """Apply the pending SQL-file migrations of DIRECTORY in version order."""
    with _database(url) as db:
        report = db.migrate(directory, dry_run=dry_run)
        where = db.masked_url
    if as_json:
        print_json(report.to_dict())
        return
    for name in report.pending if dry_run else report.applied:
        console.print(f"{'would apply' if dry_run else 'applied'} {name}", markup=False)
    if not report.pending:
        console.print("nothing to apply", markup=False)
    console.print(f"{where} is at version {report.version if report.version is not None else 'none'}", markup=False)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help='e.g. "SELECT * FROM users WHERE id = :id"')],
    param: ParamOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a query and print its rows."""
    with _database(url) as db:
        rows = [{k: _plain(v) for k, v in row.items()} for row in db.fetch_all(sql, _params(param))]
    if as_json:
        print_json(rows)
    elif rows:
        print_table(f"{len(rows)} row(s)", list(rows[0]), rows)
    else:
        console.print("no rows", markup=False)


@app.command("exec")
def exec_(
    sql: Annotated[str, typer.Argument(help='e.g. "DELETE FROM sessions WHERE user_id = :user"')],
    param: ParamOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run one statement (in its own transaction) and print the rows it affected."""
    with _database(url) as db:
        count = db.execute(sql, _params(param))
    if as_json:
        print_json({"rows_affected": count})
    else:
        console.print(f"{count} row(s) affected", markup=False)
