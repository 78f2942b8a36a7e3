"""Alembic environment: runs on the connection memcore hands it, or on the configured URL."""

from alembic import context
from sqlalchemy import Connection

from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.tables import metadata
from memcore.infrastructure.sqlalchemy.types import compare_type

config = context.config


def _include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    # Compare only memcore's own tables: host applications may keep theirs in the same database.
    if type_ == "table":
        return name in metadata.tables
    return search.include_name(name, type_, parent_names)  # PostgreSQL's generated search column and index


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=compare_type,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    url = config.get_main_option("sqlalchemy.url") or None
    engine = build_engine(Settings.from_env().with_url(url))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
