"""Drop `messages (sender_type)`: no query reads by it alone

Revision ID: 0018_i15
Revises: 0017

Every read that filters by sender type filters by conversation too, and is served by the
`(conversation_id, ...)` indexes; an index on a column of a handful of values only cost each
append one more B-tree write (conversation memory's appends, measured in the sessions bench).
The downgrade puts it back.
"""

from alembic import op

revision = "0018_i15"
down_revision = "0017"
branch_labels = None
depends_on = None

NAME = "ix_messages_sender_type"


def upgrade() -> None:
    op.drop_index(NAME, table_name="messages")


def downgrade() -> None:
    op.create_index(NAME, "messages", ["sender_type"])
