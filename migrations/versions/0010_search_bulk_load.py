"""MariaDB: the knowledge chunks' search triggers skip their work in a bulk-loading session.

Revision ID: 0010
Revises: 0009

A session that sets `@memcore_bulk_load` (the transfer's copy and import) rebuilds the side table
once at the end instead of upserting it row by row. Other dialects and other sessions behave as
before; downgrading keeps the guarded triggers, which act as the old ones unless that is set.
"""

from alembic import op

from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.tables import CHUNK_SEARCH

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "mysql":
        search.drop(connection, CHUNK_SEARCH)
        search.create(connection, CHUNK_SEARCH)  # guarded triggers, side rows rebuilt from the table


def downgrade() -> None:
    return None
