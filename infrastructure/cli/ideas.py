"""`memcore ideas`: add, find, count, analyse and import idea inspirations."""

from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.progress import Progress

from memcore.application.ideas import commands
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.domain.shared.specification import Field, Order, Query, Specification
from memcore.infrastructure.cli.common import JsonOption, UrlOption, json_object, open_container, open_services
from memcore.infrastructure.cli.output import console, print_json, print_record, print_table
from memcore.infrastructure.legacy.ideas_sqlite import SqliteLegacyIdeaSource
from memcore.infrastructure.sqlalchemy import migrate

app = typer.Typer(help="Idea inspirations: content records with scores and categories.", no_args_is_help=True)
LIST_COLUMNS = ["id", "title", "category", "score", "source_type", "created_at"]

Category = Annotated[str | None, typer.Option(help="Only this category")]
MinScore = Annotated[int | None, typer.Option("--min-score", help="Only scores >= this")]
SourceType = Annotated[str | None, typer.Option("--source-type", help="text | video | audio | unknown")]
Keyword = Annotated[str | None, typer.Option(help="Only ideas having this keyword")]
Text = Annotated[str | None, typer.Option(help="Text the title or description contains")]


def _spec(category: str | None, min_score: int | None, source_type: str | None, keyword: str | None,
          text: str | None) -> Specification | None:  # fmt: skip
    parts: list[Specification] = []
    if category is not None:
        parts.append(Field("category") == category)
    if min_score is not None:
        parts.append(Field("score") >= min_score)
    if source_type is not None:
        parts.append(Field("source_type") == source_type)
    if keyword is not None:
        parts.append(Field("keywords").contains(keyword))
    if text is not None:
        parts.append(Field("title").contains(text) | Field("description").contains(text))
    if not parts:
        return None
    spec = parts[0]
    for part in parts[1:]:
        spec = spec & part
    return spec


@app.command()
def add(
    title: Annotated[str | None, typer.Option(help="Required unless --from-json gives it")] = None,
    description: str | None = None,
    content: str | None = None,
    keyword: Annotated[list[str] | None, typer.Option(help="Repeat for several")] = None,
    source_type: Annotated[str, typer.Option("--source-type")] = "text",
    source_id: Annotated[str | None, typer.Option("--source-id")] = None,
    source_url: Annotated[str | None, typer.Option("--source-url")] = None,
    score: Annotated[int | None, typer.Option(help="0-100")] = None,
    category: str | None = None,
    metadata: Annotated[str | None, typer.Option(help="A JSON object")] = None,
    from_json: Annotated[str | None, typer.Option("--from-json", help="A whole idea as a JSON object")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add one idea."""
    data = json_object("--from-json", from_json) or {}
    options = {
        "title": title, "description": description, "content": content, "keywords": keyword,
        "source_type": source_type if from_json is None or "source_type" not in data else None,
        "source_id": source_id, "source_url": source_url, "score": score, "category": category,
        "metadata": json_object("--metadata", metadata),
    }  # fmt: skip
    data.update({k: v for k, v in options.items() if v is not None})
    with open_services(url) as services:
        idea_id = services.bus.handle(commands.AddIdea(data))
    if as_json:
        print_json({"id": idea_id})
    else:
        console.print(f"added idea {idea_id}")


@app.command()
def show(idea_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show one idea."""
    with open_services(url) as services:
        view = services.ideas.get(idea_id)
    if view is None:
        raise NotFound(f"no idea with id {idea_id}")
    if as_json:
        print_json(view.to_dict())
    else:
        print_record(f"idea {idea_id}", view.to_dict())


@app.command()
def find(
    category: Category = None,
    min_score: MinScore = None,
    source_type: SourceType = None,
    keyword: Keyword = None,
    text: Text = None,
    order: Annotated[str, typer.Option(help="A field; prefix - for descending")] = "-created_at",
    limit: Annotated[int, typer.Option(min=0)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find ideas, newest first by default."""
    field = order.lstrip("-")
    query = Query(
        where=_spec(category, min_score, source_type, keyword, text) or Query().where,
        order_by=[Order(field, descending=order.startswith("-"))],
        limit=limit,
        offset=offset,
    )
    with open_services(url) as services:
        rows = [view.to_dict() for view in services.ideas.find(query)]
    if as_json:
        print_json(rows)
    else:
        print_table(f"{len(rows)} idea(s)", LIST_COLUMNS, rows)


@app.command()
def count(
    category: Category = None,
    min_score: MinScore = None,
    source_type: SourceType = None,
    keyword: Keyword = None,
    text: Text = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count ideas matching the filters."""
    with open_services(url) as services:
        total = services.ideas.count(_spec(category, min_score, source_type, keyword, text))
    if as_json:
        print_json({"count": total})
    else:
        console.print(str(total))


@app.command()
def stats(
    by: Annotated[str, typer.Option(help="category | source_type")] = "category",
    top: Annotated[int | None, typer.Option(min=0, help="Only the N largest categories")] = None,
    category: Category = None,
    min_score: MinScore = None,
    source_type: SourceType = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Counts and average scores per group, and the score histogram."""
    if by not in ("category", "source_type"):
        raise InvalidInput(f"--by takes category or source_type, not {by!r}")
    spec = _spec(category, min_score, source_type, None, None)
    with open_services(url) as services:
        if top is not None:
            groups = services.ideas.top_categories(top, spec)
        elif by == "category":
            groups = services.ideas.stats_by_category(spec)
        else:
            groups = services.ideas.stats_by_source_type(spec)
        histogram = services.ideas.score_histogram(spec)
    group_rows = [{by: g.key, "count": g.count, "average_score": g.average_score} for g in groups]
    bucket_rows = [{"scores": f"{b.low}-{b.high}", "count": b.count} for b in histogram]
    if as_json:
        print_json({"groups": group_rows, "histogram": bucket_rows})
        return
    print_table(f"ideas by {by}", [by, "count", "average_score"], group_rows)
    print_table("score histogram", ["scores", "count"], bucket_rows)


@app.command("import-legacy")
def import_legacy(
    path: str,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 1000,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import ideas from a legacy raw-SQLite database; running it again adds nothing."""
    with open_container(url) as container:
        engine = container.engine()
        if migrate.current(engine) is None:
            migrate.upgrade(engine)
        with Progress(console=console, transient=True, disable=as_json) as progress:

            def open_source(legacy_path: str) -> SqliteLegacyIdeaSource:
                return _Counted(SqliteLegacyIdeaSource(legacy_path), progress)

            services = container.services(open_legacy_source=open_source)
            report = services.bus.handle(commands.ImportLegacyIdeas(path, batch_size))
    result = {"read": report.read, "imported": report.imported, "skipped": report.skipped,
              "reasons": [{"legacy_id": i, "reason": r} for i, r in report.reasons]}  # fmt: skip
    if as_json:
        print_json(result)
        return
    console.print(f"read {report.read}, imported {report.imported}, skipped {report.skipped}")
    for legacy_id, reason in report.reasons[:20]:
        console.print(f"  skipped legacy row {legacy_id}: {reason}", markup=False)
    if report.skipped > 20:
        console.print(f"  … and {report.skipped - 20} more (use --json for all)")


class _Counted:
    """A legacy source that advances a progress bar as rows are read."""

    def __init__(self, source: SqliteLegacyIdeaSource, progress: Progress) -> None:
        self.source, self.progress = source, progress
        self.task = progress.add_task("importing ideas", total=source.count())

    def rows(self) -> Iterator[tuple[int, Any]]:
        for row in self.source.rows():
            self.progress.advance(self.task)
            yield row

    def close(self) -> None:
        self.source.close()
