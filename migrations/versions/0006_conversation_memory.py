"""Conversation memory on the chat tables: a session id per conversation, messages read in order

`conversations.session_id` names the memory session a conversation belongs to (NULL for chats
started through the chat API); the live conversation of a session and the archived ones holding
what summaries replaced share it. `messages (conversation_id, sequence)` serves ordered reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_conversations_session_id": ("conversations", ["session_id"]),
    "ix_messages_conversation_id_sequence": ("messages", ["conversation_id", "sequence"]),
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "session_id" not in {column["name"] for column in inspector.get_columns("conversations")}:
        # A plain ALTER TABLE on every dialect (SQLite adds a nullable column in place).
        op.add_column("conversations", sa.Column("session_id", BinaryString(255), nullable=True))
    for name, (table, columns) in INDEXES.items():
        if name not in {index["name"] for index in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: rebuilding `conversations` would cascade-delete every message.
        op.execute(sa.text("ALTER TABLE conversations DROP COLUMN session_id"))
    else:
        op.drop_column("conversations", "session_id")
