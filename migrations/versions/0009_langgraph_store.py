"""langgraph_store table (memcore.integrations.langgraph.MemcoreStore) and its full-text search

`id` (the SHA-256 hex of namespace NUL key) is the one-column key the search objects of
infrastructure/sqlalchemy/search.py need; the documents' strings are indexed per dialect.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.types import BinaryString, Double, JsonText, UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEARCH = search.SearchIndex("langgraph_store", "id", BinaryString(64), documents=("value",))


def upgrade() -> None:
    op.create_table(
        "langgraph_store",
        sa.Column("id", BinaryString(64), nullable=False),
        sa.Column("namespace", BinaryString(255), nullable=False),
        sa.Column("key", BinaryString(255), nullable=False),
        sa.Column("value", JsonText(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("ttl_minutes", Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_langgraph_store"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    op.create_index("ix_langgraph_store_namespace_key", "langgraph_store", ["namespace", "key"], unique=True)
    op.create_index("ix_langgraph_store_expires_at", "langgraph_store", ["expires_at"])
    search.create(op.get_bind(), SEARCH)


def downgrade() -> None:
    search.drop(op.get_bind(), SEARCH)
    op.drop_index("ix_langgraph_store_namespace_key", table_name="langgraph_store")
    op.drop_index("ix_langgraph_store_expires_at", table_name="langgraph_store")
    op.drop_table("langgraph_store")
