"""`memcore knowledge`: the chatbot's knowledge base (upsert, import a directory, search, list)."""

from pathlib import Path
from typing import Annotated, Any

import attrs
import typer
from rich.progress import Progress

from memcore.application.bootstrap import Services
from memcore.application.conversations import commands
from memcore.domain.conversations.model import KnowledgeChunk
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.cli.common import JsonOption, UrlOption, json_object, open_services
from memcore.infrastructure.cli.knowledge_files import chunk_directory, read_text
from memcore.infrastructure.cli.output import console, print_json, print_table

app = typer.Typer(help="Knowledge chunks a chatbot answers from, keyed by source and external id.",
                  no_args_is_help=True)  # fmt: skip
LIST_COLUMNS = ["id", "source", "external_id", "title", "updated_at"]
READ_PAGE = 1000

Source = Annotated[str | None, typer.Option(help="Only this source")]


@app.command()
def upsert(
    source: Annotated[str, typer.Option(help="Where the chunk comes from, e.g. a document set")],
    external_id: Annotated[str, typer.Option("--external-id", help="Its id within the source")],
    content: Annotated[str | None, typer.Option(help="The text")] = None,
    file: Annotated[Path | None, typer.Option(help="Read the text from this UTF-8 file")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    metadata: Annotated[str | None, typer.Option(help="A JSON object")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Insert a chunk, or replace the one with the same source and external id."""
    if (content is None) == (file is None):
        raise InvalidInput("give the text with exactly one of --content or --file")
    text = content if file is None else read_text(file, str(file))
    command = commands.UpsertKnowledgeChunk(source, external_id, text, title, json_object("--metadata", metadata))
    with open_services(url) as services:
        view, created = services.bus.handle(command)
    if as_json:
        print_json({**view.to_dict(), "created": created})
    else:
        console.print(f"{'inserted' if created else 'updated'} chunk {view.id} ({source} {external_id})", markup=False)


@attrs.frozen
class ImportReport:
    source: str
    files: int
    chunks: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int


def _stored(services: Services, source: str) -> dict[str, Any]:
    """The source's chunks as stored now, by external id."""
    stored: dict[str, Any] = {}
    offset = 0
    while page := services.knowledge.list_by_source(source, limit=READ_PAGE, offset=offset):
        stored.update((view.external_id, view) for view in page)
        offset += len(page)
    return stored


def read_directory(directory: Path, source: str) -> tuple[list[dict[str, Any]], int]:
    """The chunks of every file as upserts, each checked by the domain's rules, and the file count."""
    chunks = list(chunk_directory(directory))
    if not chunks:
        raise InvalidInput(f"{directory} holds no Markdown or text (.md, .markdown, .txt) files with text in them")
    items = [chunk.as_upsert(source) for chunk in chunks]
    for item in items:
        KnowledgeChunk(**item)
    return items, len({chunk.path for chunk in chunks})


def import_chunks(
    services: Services, items: list[dict[str, Any]], files: int, source: str, batch_size: int, prune: bool,
    progress: Progress,
) -> ImportReport:  # fmt: skip
    """Write only the chunks that are new or changed (and with `prune`, delete those no file gives)."""
    stored = _stored(services, source)
    fields = ("title", "content", "chunk_metadata")
    changed = [i for i in items if i["external_id"] not in stored
               or any(getattr(stored[i["external_id"]], f) != i[f] for f in fields)]  # fmt: skip
    inserted = sum(item["external_id"] not in stored for item in changed)
    stale = [] if not prune else sorted(set(stored) - {item["external_id"] for item in items})
    task = progress.add_task(f"importing {source}", total=len(changed) + len(stale))
    for start in range(0, len(changed), batch_size):
        batch = changed[start : start + batch_size]
        services.bus.handle(commands.BulkUpsertKnowledgeChunks(batch, batch_size=batch_size))
        progress.advance(task, len(batch))
    for external_id in stale:
        services.bus.handle(commands.DeleteKnowledgeChunk(stored[external_id].id))
        progress.advance(task)
    return ImportReport(source, files, len(items), inserted, len(changed) - inserted,
                        len(items) - len(changed), len(stale))  # fmt: skip


@app.command("import")
def import_(
    directory: Annotated[Path, typer.Argument(help="A directory of .md, .markdown and .txt files")],
    source: Annotated[str | None, typer.Option(help="Default: the directory's name")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 1000,
    prune: Annotated[bool, typer.Option(help="Delete the source's chunks no file produces any more")] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Chunk the directory's files by heading and upsert them; running it again changes nothing.

    Each chunk's external id is its file's path within the directory, '#', and its index in the file.
    """
    name = source if source is not None else directory.resolve().name
    items, files = read_directory(directory, name)  # bad files are refused before anything is written
    with open_services(url) as services, Progress(console=console, transient=True, disable=as_json) as progress:
        report = import_chunks(services, items, files, name, batch_size, prune, progress)
    if as_json:
        print_json(attrs.asdict(report))
        return
    console.print(
        f"{report.source}: {report.chunks} chunks from {report.files} files; inserted {report.inserted}, "
        f"updated {report.updated}, unchanged {report.unchanged}" + (f", deleted {report.deleted}" if prune else ""),
        markup=False,
    )


@app.command()
def search(
    text: str,
    source: Source = None,
    limit: Annotated[int, typer.Option(min=0)] = 10,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over titles and contents: chunks holding every word, best first."""
    with open_services(url) as services:
        views = services.knowledge.search(text, limit=limit, source=source)
    rows = [view.to_dict() for view in views]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["excerpt"] = " ".join(row["content"].split())[:80]
    print_table(f"{len(rows)} chunk(s) for {text!r}", ["source", "external_id", "title", "excerpt"], rows)


@app.command("list")
def list_(
    source: Source = None,
    limit: Annotated[int, typer.Option(min=0)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Chunks, oldest first."""
    with open_services(url) as services:
        if source is not None:
            views = services.knowledge.list_by_source(source, limit=limit, offset=offset)
        else:
            views = services.knowledge.list_all(limit=limit, offset=offset)
    rows = [view.to_dict() for view in views]
    print_json(rows) if as_json else print_table(f"{len(rows)} chunk(s)", LIST_COLUMNS, rows)
