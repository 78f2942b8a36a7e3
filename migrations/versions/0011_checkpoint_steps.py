"""pipeline_checkpoints: the columns of ia_modules' checkpointer beside memcore's

Revision ID: 0011
Revises: 0010

`step_id`, `step_index`, `step_name`, `timestamp`, `status` and `parent_checkpoint_id`, all
nullable: memcore's own checkpointer leaves them empty, the ia_modules drop-in fills them
(memcore.compat.ia_checkpoint). A column a table already has is left as it is.
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    return [
        sa.Column("step_id", BinaryString(255), nullable=True),
        sa.Column("step_index", sa.Integer(), nullable=True),
        sa.Column("step_name", BinaryString(255), nullable=True),
        sa.Column("timestamp", UtcDateTime(), nullable=True),
        sa.Column("status", BinaryString(50), nullable=True),
        sa.Column("parent_checkpoint_id", BinaryString(36), nullable=True),
    ]


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pipeline_checkpoints")}
    with op.batch_alter_table("pipeline_checkpoints") as batch:
        for column in _columns():
            if column.name not in present:
                batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("pipeline_checkpoints") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
