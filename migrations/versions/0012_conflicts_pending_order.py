"""conflicts: an index in the pending list's order

Revision ID: 0012
Revises: 0011

A user's pending conflicts are listed by importance (highest first), then age and id, LIMIT n.
With only (user_id, status) indexed, every pending row of the user was read and sorted, so the
cost grew with the store; this index hands them over in order and the LIMIT stops early.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "ix_conflicts_pending_order"


def upgrade() -> None:
    existing = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("conflicts")}
    if NAME not in existing:
        op.create_index(NAME, "conflicts", ["user_id", "status", sa.text("avg_importance DESC"), "created_at", "id"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="conflicts")
