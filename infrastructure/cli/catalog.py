"""`memcore catalog`: the catalog of stored blobs: track, get, list, snapshot, changed, cleanup."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from memcore.application.memory import commands
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.cli.common import JsonOption, UrlOption, open_services
from memcore.infrastructure.cli.memory import WhereOption, json_object, parse_json, where
from memcore.infrastructure.cli.output import console, print_json, print_record, print_table

app = typer.Typer(help="The catalog of stored blobs: hashes, locations, sizes, expiry, snapshots.",
                  no_args_is_help=True)  # fmt: skip
LIST_COLUMNS = ["key", "byte_size", "storage_uri", "content_hash", "expires_at", "updated_at"]


def _expiry(expires: str | None, ttl: int | None) -> datetime | None:
    if expires is not None and ttl is not None:
        raise InvalidInput("give --expires or --ttl, not both")
    if ttl is not None:
        return datetime.now(UTC) + timedelta(seconds=ttl)
    if expires is None:
        return None
    try:
        moment = datetime.fromisoformat(expires)
    except ValueError:
        raise InvalidInput(f"--expires is not an ISO 8601 date and time: {expires!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@app.command()
def track(
    key: str,
    content_hash: Annotated[str, typer.Option("--hash", help="The blob's content hash, e.g. sha256:…")],
    size: Annotated[int, typer.Option("--size", min=0, help="The blob's size in bytes")],
    uri: Annotated[str | None, typer.Option("--uri", help="Where the blob is stored")] = None,
    inline: Annotated[str | None, typer.Option("--inline", help="A small value kept inline, as JSON")] = None,
    meta: Annotated[str | None, typer.Option("--meta", help="Metadata as a JSON object")] = None,
    expires: Annotated[str | None, typer.Option(help="Expiry, ISO 8601 (UTC unless an offset is given)")] = None,
    ttl: Annotated[int | None, typer.Option(min=0, help="Expiry in seconds from now")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update the catalog entry of KEY."""
    inlined = None if inline is None else parse_json("--inline", inline)
    command = commands.TrackCatalogEntry(
        key, content_hash, uri, size, json_object("--meta", meta), inlined, _expiry(expires, ttl)
    )
    with open_services(url) as services:
        result = services.bus.handle(command)
    if as_json:
        print_json({"key": key, "created": result.created, "entry_id": result.entry_id})
    else:
        console.print(f"{'tracked' if result.created else 'updated'} {key} ({result.entry_id})", markup=False)


@app.command()
def get(key: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show the catalog entry of KEY."""
    with open_services(url) as services:
        view = services.catalog.get(key)
    if view is None:
        raise NotFound(f"no catalog entry with key {key!r}")
    print_json(view.to_dict()) if as_json else print_record(key, view.to_dict())


@app.command("list")
def list_(
    prefix: Annotated[str | None, typer.Option(help="Only keys starting with this")] = None,
    where_: WhereOption = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Catalog entries in key order."""
    with open_services(url) as services:
        rows = [v.to_dict() for v in services.catalog.list(prefix=prefix, metadata_filter=where(where_), limit=limit)]
    print_json(rows) if as_json else print_table(f"{len(rows)} catalog entries", LIST_COLUMNS, rows)


@app.command()
def snapshot(
    name: Annotated[str | None, typer.Argument(help="Take a snapshot with this name")] = None,
    show: Annotated[str | None, typer.Option("--show", help="Show the snapshot with this id instead")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a named snapshot of the catalog (entry count, total bytes, time), or --show one."""
    if (name is None) == (show is None):
        raise InvalidInput("give a NAME to take a snapshot, or --show ID")
    with open_services(url) as services:
        snapshot_id = show if show is not None else services.bus.handle(commands.CreateSnapshot(name))
        view = services.catalog.get_snapshot(snapshot_id)
    if view is None:
        raise NotFound(f"no snapshot with id {snapshot_id!r}")
    print_json(view.to_dict()) if as_json else print_record(f"snapshot {view.name}", view.to_dict())


@app.command()
def changed(
    since: Annotated[str | None, typer.Option(help="A snapshot id; without it every entry")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Entries created or updated after the snapshot."""
    with open_services(url) as services:
        rows = [view.to_dict() for view in services.catalog.changed_since(since)]
    print_json(rows) if as_json else print_table(f"{len(rows)} changed entries", LIST_COLUMNS, rows)


@app.command()
def cleanup(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Entries deleted per transaction")] = 100,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete the entries whose expiry has passed."""
    with open_services(url) as services:
        deleted = services.bus.handle(commands.CleanupExpired(batch_size))
    print_json({"deleted": deleted}) if as_json else console.print(f"deleted {deleted} expired entries")
