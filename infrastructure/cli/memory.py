"""`memcore memory`: an agent's long-term key/value memory: put, get, delete, search, export, import."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import Progress

from memcore.application.memory import commands
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.cli.common import JsonOption, UrlOption, open_services
from memcore.infrastructure.cli.output import console, err_console, print_json, print_record, print_table

app = typer.Typer(help="Long-term memory: JSON values under string keys, with metadata and search.",
                  no_args_is_help=True)  # fmt: skip

WhereOption = Annotated[
    list[str] | None,
    typer.Option("--where", "-w", help="Metadata key=value (a string) or key:=JSON (a number, bool …); repeat"),
]
MetaOption = Annotated[str | None, typer.Option("--meta", help="Metadata as a JSON object")]


def parse_json(what: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc.msg} (column {exc.colno})") from None


def json_object(what: str, text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = parse_json(what, text)
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def where(items: list[str] | None) -> dict[str, Any] | None:
    """`--where k=v` (v a string) and `--where k:=JSON` into a metadata filter."""
    found: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.rstrip(":"):
            raise InvalidInput(f"--where {item!r} is not key=value or key:=JSON")
        if name.endswith(":"):
            found[name[:-1]] = parse_json(f"--where {name[:-1]}", value)
        else:
            found[name] = value
    return found or None


@app.command()
def put(
    key: str,
    value: Annotated[str, typer.Argument(help="The value as JSON: an object, array, string, number, bool or null")],
    meta: MetaOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store VALUE under KEY, replacing what was there."""
    command = commands.StoreMemory(key, parse_json("VALUE", value), json_object("--meta", meta))
    with open_services(url) as services:
        created = services.bus.handle(command)
    if as_json:
        print_json({"key": key, "created": created})
    else:
        console.print(f"{'stored' if created else 'replaced'} {key}", markup=False)


@app.command()
def get(key: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show the entry under KEY."""
    with open_services(url) as services:
        view = services.memory.get(key)
    if view is None:
        raise NotFound(f"no memory entry with key {key!r}")
    print_json(view.to_dict()) if as_json else print_record(key, view.to_dict())


@app.command()
def delete(key: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Delete the entry under KEY (nothing happens when there is none)."""
    with open_services(url) as services:
        deleted = services.bus.handle(commands.DeleteMemory(key))
    if as_json:
        print_json({"key": key, "deleted": deleted})
    else:
        console.print(f"{'deleted' if deleted else 'no entry'} {key}", markup=False)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to find in values and keys; empty: newest first")] = "",
    where_: WhereOption = None,
    limit: Annotated[int, typer.Option(min=1)] = 10,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over the values (and keys), ranked by relevance; filter on metadata."""
    with open_services(url) as services:
        hits = services.memory.search(text or None, metadata_filter=where(where_), limit=limit)
    rows = [{**hit.entry.to_dict(), "score": hit.score} for hit in hits]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["value"] = json.dumps(row["value"], ensure_ascii=False)[:80]
    print_table(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}", ["key", "score", "value", "metadata"], rows)


@contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8") as handle:
        yield handle


@app.command("export")
def export_(
    path: Annotated[str, typer.Argument(help="A JSON Lines file to write; - for stdout")] = "-",
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write every entry, in key order, one JSON object per line (streamed)."""
    written = 0
    with open_services(url) as services, _output(path) as out:
        total = services.memory.count()
        with Progress(console=err_console, transient=True, disable=as_json or path == "-") as progress:
            task = progress.add_task("exporting memory", total=total)
            for view in services.memory.iterate():
                out.write(json.dumps(view.to_dict(), ensure_ascii=False) + "\n")
                written += 1
                progress.advance(task)
    if as_json:
        print_json({"exported": written, "path": path})
    elif path != "-":
        console.print(f"exported {written} entries to {path}", markup=False)


def _entries(path: Path, progress: Progress) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
    """(key, value, metadata) of each line, checked; a bad line stops the import with its number."""
    task = progress.add_task("importing memory", total=path.stat().st_size)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            progress.advance(task, len(raw))
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"{path} line {number}: not UTF-8") from None
            item = parse_json(f"{path} line {number}", text)
            if not isinstance(item, dict) or "key" not in item or "value" not in item:
                raise InvalidInput(f"{path} line {number}: expected an object with key and value")
            metadata = item.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                raise InvalidInput(f"{path} line {number}: metadata must be an object or null")
            yield item["key"], item["value"], metadata


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A JSON Lines file, as `memory export` writes")],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Entries per transaction")] = 500,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store every line's entry (create or replace), in transactions of --batch-size entries."""
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    created = replaced = 0
    with open_services(url) as services, Progress(console=err_console, transient=True, disable=as_json) as progress:
        try:
            entries = (commands.StoreMemory(*entry) for entry in _entries(path, progress))
            while batch := list(islice(entries, batch_size)):
                made = sum(services.bus.handle(commands.StoreMemories(batch)))
                created, replaced = created + made, replaced + len(batch) - made
        except InvalidInput as exc:
            raise InvalidInput(f"{exc} ({created + replaced} entries imported before it)") from None
    if as_json:
        print_json({"imported": created + replaced, "created": created, "replaced": replaced})
    else:
        console.print(f"imported {created + replaced} entries ({created} new, {replaced} replaced)")
