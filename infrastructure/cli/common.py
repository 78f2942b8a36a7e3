"""What every CLI command shares: the --url option and a container on it."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from application.bootstrap import Services
from domain.shared.errors import StorageUnavailable
from infrastructure.container import Container, container_for
from infrastructure.sqlalchemy import migrate

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
