"""pipeline_checkpoints table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, JsonText, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_checkpoints",
        sa.Column("checkpoint_id", BinaryString(36), nullable=False),
        sa.Column("thread_id", BinaryString(255), nullable=False),
        sa.Column("pipeline_id", BinaryString(255), nullable=False),
        sa.Column("parent_id", BinaryString(36), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", JsonText(), nullable=False),
        sa.Column("metadata", JsonText(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("checkpoint_id", name="pk_pipeline_checkpoints"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    op.create_index(
        "ix_pipeline_checkpoints_thread_id_sequence", "pipeline_checkpoints", ["thread_id", "sequence"], unique=True
    )
    op.create_index(
        "ix_pipeline_checkpoints_thread_id_pipeline_id_sequence",
        "pipeline_checkpoints",
        ["thread_id", "pipeline_id", "sequence"],
    )


def downgrade() -> None:
    op.drop_table("pipeline_checkpoints")
