"""Runs the Alembic migrations in `migrations/` against an engine, and checks for drift."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from memcore import migrations
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import shown
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.tables import metadata
from memcore.infrastructure.sqlalchemy.types import compare_type

MIGRATIONS_DIR = Path(migrations.__file__).parent

# Indexes the migrations create on PostgreSQL only, over an expression `tables.py` cannot declare for
# every dialect (0015: the memory metadata's jsonb containment index); the drift check leaves them out.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_ltm_entries_metadata_jsonb"})


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with translating(), _known_revision(revision), engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with translating(), _known_revision(revision), engine.begin() as connection:
        command.downgrade(_config(connection), revision)


@contextmanager
def _known_revision(revision: str) -> Iterator[None]:
    """Alembic's error for a revision it cannot find (or a malformed one) as InvalidInput."""
    if not isinstance(revision, str) or not revision.strip():  # Alembic asserts on an empty one
        raise InvalidInput("cannot migrate to an empty revision")
    try:
        yield
    except CommandError as exc:
        raise InvalidInput(f"cannot migrate to revision {shown(revision)}: {str(exc)[:200]}") from None


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with translating(), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def revisions() -> list[str]:
    """Every revision this memcore knows, newest first (an archive or database from another is foreign)."""
    return [script.revision for script in ScriptDirectory.from_config(_config(None)).walk_revisions()]


def diff(engine: Engine) -> list[Any]:
    """What autogenerate would change to make the database match `tables.py` (empty: no drift)."""

    def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
        if type_ == "table":
            return name in metadata.tables
        if type_ == "index" and name in POSTGRESQL_ONLY_INDEXES:
            return False
        return search.include_name(name, type_, parent_names)  # PostgreSQL's search column and index

    with translating(), engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": compare_type, "include_name": include_name}
        )
        return list(compare_metadata(context, metadata))


def upgrade_database(db: Any) -> None:
    """Upgrade the database a `Database` or `AsyncDatabase` works on (through a synchronous engine)."""
    from sqlalchemy.engine import make_url

    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    url = make_url(db.settings.url)
    engine = build_engine(
        Settings(url=url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False))
    )
    try:
        upgrade(engine)
    finally:
        engine.dispose()
