"""conflicts table

A `conflicts` table left by the store memcore replaces is adopted as it is: only what is missing
(the table, or its indexes) is created, so existing databases open unchanged.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, JsonText, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

INDEXES = {
    "ix_conflicts_user_id": ["user_id"],
    "ix_conflicts_status": ["status"],
    "ix_conflicts_user_id_status": ["user_id", "status"],
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("conflicts"):
        op.create_table(
            "conflicts",
            sa.Column("id", BinaryString(255), nullable=False),
            sa.Column("user_id", BinaryString(255), nullable=False),
            sa.Column("memory_a_id", BinaryString(255), nullable=False),
            sa.Column("memory_b_id", BinaryString(255), nullable=False),
            sa.Column("category", BinaryString(255), nullable=False),
            sa.Column("is_singleton_category", sa.Boolean(), nullable=False),
            sa.Column("similarity_score", sa.Double(), nullable=False),
            sa.Column("status", BinaryString(32), nullable=False),
            sa.Column("avg_importance", sa.Double(), nullable=False),
            sa.Column("clarification_hint", BinaryText(), nullable=True),
            sa.Column("resolution_type", BinaryString(32), nullable=True),
            sa.Column("winning_memory_id", BinaryString(255), nullable=True),
            sa.Column("resolution_attempts", sa.Integer(), nullable=False),
            sa.Column("created_at", UtcDateTime(), nullable=False),
            sa.Column("resolved_at", UtcDateTime(), nullable=True),
            sa.Column("metadata_json", JsonText(), nullable=True),
            sa.PrimaryKeyConstraint("id", name="pk_conflicts"),
            mysql_engine="InnoDB",
            mysql_charset="utf8mb4",
        )
        existing: set[str] = set()
    else:
        existing = {ix["name"] for ix in inspector.get_indexes("conflicts")}
    for name, columns in INDEXES.items():
        if name not in existing:
            op.create_index(name, "conflicts", columns)


def downgrade() -> None:
    op.drop_table("conflicts")  # its indexes go with it
