"""What every CLI command shares: the --url option and a container on it."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from memcore.application.bootstrap import Services
from memcore.domain.shared.errors import InvalidInput, StorageUnavailable
from memcore.infrastructure.container import Container, container_for
from memcore.infrastructure.sqlalchemy import migrate

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Database URL (default: DATABASE_URL, DB_* or SQLite memcore.db)", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts")]


@contextmanager
def open_container(url: str | None) -> Iterator[Container]:
    container = container_for(url)
    try:
        yield container
    finally:
        container.shutdown_resources()


@contextmanager
def open_services(url: str | None) -> Iterator[Services]:
    """The use cases on a migrated database; a clear error when it was never migrated."""
    with open_container(url) as container:
        engine = container.engine()
        if migrate.current(engine) is None:
            raise StorageUnavailable(
                f"database {container.settings().masked_url} has no memcore schema; run `memcore db upgrade`"
            )
        yield container.services()


def json_object(option: str, text: str | None) -> dict[str, Any] | None:
    """An option's JSON object text, parsed; None stays None, anything else is InvalidInput."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{option} is not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{option} must be a JSON object")
    return value
