"""langgraph_checkpoints and langgraph_writes tables (memcore.integrations.langgraph)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, Blob, JsonText

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
THREAD, ID = 255, 64


def _key(*extra: sa.Column) -> list[sa.Column]:
    return [
        sa.Column("thread_id", BinaryString(THREAD), nullable=False),
        sa.Column("checkpoint_ns", BinaryString(THREAD), nullable=False),
        sa.Column("checkpoint_id", BinaryString(ID), nullable=False),
        *extra,
    ]


def upgrade() -> None:
    op.create_table(
        "langgraph_checkpoints",
        *_key(),
        sa.Column("parent_checkpoint_id", BinaryString(ID), nullable=True),
        sa.Column("run_id", BinaryString(THREAD), nullable=True),
        sa.Column("type", BinaryString(32), nullable=False),
        sa.Column("checkpoint", Blob(), nullable=False),
        sa.Column("metadata", JsonText(), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", "checkpoint_ns", "checkpoint_id", name="pk_langgraph_checkpoints"),
        **MYSQL,
    )
    op.create_index("ix_langgraph_checkpoints_run_id", "langgraph_checkpoints", ["run_id"])
    op.create_table(
        "langgraph_writes",
        *_key(
            sa.Column("task_id", BinaryString(ID), nullable=False),
            sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        ),
        sa.Column("channel", BinaryString(THREAD), nullable=False),
        sa.Column("type", BinaryString(32), nullable=False),
        sa.Column("value", Blob(), nullable=False),
        sa.Column("task_path", BinaryText(), nullable=False),
        sa.PrimaryKeyConstraint(
            "thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "idx", name="pk_langgraph_writes"
        ),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("langgraph_writes")
    op.drop_index("ix_langgraph_checkpoints_run_id", table_name="langgraph_checkpoints")
    op.drop_table("langgraph_checkpoints")
