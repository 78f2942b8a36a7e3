"""idea_inspiration table

An `idea_inspiration` table left by the store memcore replaces is adopted as it is: only what is
missing (the table, or its indexes) is created.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, JsonText, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_idea_inspiration_source_id": (["source_id"], True),
    "ix_idea_inspiration_category": (["category"], False),
    "ix_idea_inspiration_score": (["score"], False),
    "ix_idea_inspiration_created_at": (["created_at"], False),
    "ix_idea_inspiration_category_score": (["category", "score"], False),
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing: set[str] = set()
    if inspector.has_table("idea_inspiration"):
        existing = {ix["name"] for ix in inspector.get_indexes("idea_inspiration")}
    else:
        op.create_table(
            "idea_inspiration",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
            sa.Column("title", BinaryText(), nullable=False),
            sa.Column("description", BinaryText(), nullable=True),
            sa.Column("content", BinaryText(), nullable=True),
            sa.Column("keywords", JsonText(), nullable=False),
            sa.Column("source_type", BinaryString(32), nullable=False),
            sa.Column("metadata", JsonText(), nullable=False),
            sa.Column("source_id", BinaryString(255), nullable=True),
            sa.Column("source_url", BinaryText(), nullable=True),
            sa.Column("source_created_by", BinaryString(255), nullable=True),
            sa.Column("source_created_at", UtcDateTime(), nullable=True),
            sa.Column("score", sa.Integer(), nullable=True),
            sa.Column("category", BinaryString(255), nullable=True),
            sa.Column("subcategory_relevance", JsonText(), nullable=False),
            sa.Column("contextual_category_scores", JsonText(), nullable=False),
            sa.Column("created_at", UtcDateTime(), nullable=False),
            sa.Column("updated_at", UtcDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_idea_inspiration"),
            sqlite_autoincrement=True,
            mysql_engine="InnoDB",
            mysql_charset="utf8mb4",
        )
    for name, (columns, unique) in INDEXES.items():
        if name not in existing:
            op.create_index(name, "idea_inspiration", columns, unique=unique)


def downgrade() -> None:
    op.drop_table("idea_inspiration")  # its indexes go with it
