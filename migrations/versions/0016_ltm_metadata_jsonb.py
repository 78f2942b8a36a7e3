"""memory: a GIN index on the metadata document, PostgreSQL only

Revision ID: 0016
Revises: 0015

A search with a metadata filter (`metadata::jsonb @> {key: value}`) read the entries newest first
and cast every row's metadata to jsonb until the LIMIT was filled; a filter matching nothing read
the whole table. This index lets PostgreSQL find the matching rows by containment first. SQLite and
MariaDB have no index over a JSON document's members, so they get none.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

NAME = "ix_ltm_entries_metadata_jsonb"
EXPRESSION = "(CAST(metadata AS JSONB))"  # as the filter casts it (repositories/memory_sql.py)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON ltm_entries USING gin ({EXPRESSION} jsonb_path_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME}")
