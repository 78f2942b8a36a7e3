"""long-term memory and catalog tables, with full-text search on ltm_entries

Tables `ltm_entries`, `ltm_catalog` and `ltm_catalog_snapshots` left by the store memcore replaces
are adopted as they are: only what is missing (a table, an index) is created. The search objects of
`ltm_entries` (infrastructure/sqlalchemy/search.py) are created per dialect and filled from the rows
already there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import json

import sqlalchemy as sa
from alembic import op

from memcore.domain.memory.text import indexed_text
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, JsonText, UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = 512
SEARCH = search.SearchIndex("ltm_entries", "key", BinaryString(KEY), texts=("key",), documents=("value",))
MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

TABLES = {
    "ltm_entries": lambda: op.create_table(
        "ltm_entries",
        sa.Column("key", BinaryString(KEY), nullable=False),
        sa.Column("value", JsonText(), nullable=False),
        sa.Column("metadata", JsonText(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_ltm_entries"),
        **MYSQL,
    ),
    "ltm_catalog": lambda: op.create_table(
        "ltm_catalog",
        sa.Column("id", BinaryString(64), nullable=False),
        sa.Column("key", BinaryString(KEY), nullable=False),
        sa.Column("content_hash", BinaryString(255), nullable=False),
        sa.Column("storage_uri", BinaryText(), nullable=True),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("inlined_value", JsonText(), nullable=True),
        sa.Column("metadata", JsonText(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ltm_catalog"),
        **MYSQL,
    ),
    "ltm_catalog_snapshots": lambda: op.create_table(
        "ltm_catalog_snapshots",
        sa.Column("id", BinaryString(36), nullable=False),
        sa.Column("name", BinaryString(255), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("entry_count", sa.BigInteger(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ltm_catalog_snapshots"),
        **MYSQL,
    ),
}
INDEXES = {
    "ltm_entries": {"ix_ltm_entries_updated_at": (["updated_at"], False)},
    "ltm_catalog": {
        "ix_ltm_catalog_key": (["key"], True),
        "ix_ltm_catalog_expires_at": (["expires_at"], False),
        "ix_ltm_catalog_updated_at": (["updated_at"], False),
    },
    "ltm_catalog_snapshots": {"ix_ltm_catalog_snapshots_created_at": (["created_at"], False)},
}


def _mariadb_rows(connection: sa.Connection) -> list[dict]:
    """The application-maintained search rows of MariaDB, for the entries already stored."""
    rows = connection.exec_driver_sql("SELECT `key`, value FROM ltm_entries").all()
    out = []
    for key, value in rows:
        try:
            decoded = json.loads(value) if value else None
        except ValueError:
            decoded = value  # not JSON: index the text as it is
        out.append(search.side_row(SEARCH, key, [indexed_text(key, decoded)]))
    return out


def upgrade() -> None:
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    for name, create in TABLES.items():
        existing: set[str] = set()
        if inspector.has_table(name):
            existing = {ix["name"] for ix in inspector.get_indexes(name)}
        else:
            create()
        for index, (columns, unique) in INDEXES[name].items():
            if index not in existing:
                op.create_index(index, name, columns, unique=unique)
    search.drop(connection, SEARCH)
    search.create(connection, SEARCH)
    if SEARCH.app_maintained(connection.dialect.name):
        search.rebuild(connection, SEARCH, _mariadb_rows(connection))


def downgrade() -> None:
    search.drop(op.get_bind(), SEARCH)
    for name in reversed(TABLES):
        op.drop_table(name)
