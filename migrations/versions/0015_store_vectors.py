"""langgraph_store_vectors: MemcoreStore's vector index (memcore.integrations.langgraph.vectors)

One row per embedded text of an item: a normalised float32 vector, deleted with its item.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, Blob

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "langgraph_store_vectors",
        sa.Column("id", BinaryString(64), nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("field", BinaryString(255), nullable=False),
        sa.Column("vector", Blob(), nullable=False),
        sa.PrimaryKeyConstraint("id", "n", name="pk_langgraph_store_vectors"),
        sa.ForeignKeyConstraint(
            ["id"], ["langgraph_store.id"], name="fk_langgraph_store_vectors_id_langgraph_store", ondelete="CASCADE"
        ),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    op.drop_table("langgraph_store_vectors")
