"""users, conversations, messages and knowledge_chunks tables

Tables of these names left by the chat store memcore replaces are adopted: what is missing (a
table, memcore's own columns, an index) is added, and the lower-cased email key is filled in. The
full-text search objects of `knowledge_chunks` (infrastructure/sqlalchemy/search.py) are created
per dialect and filled from the rows already there.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, JsonText, UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
# Full-text search over chunk titles and contents, kept in step by the database on every dialect.
SEARCH = search.SearchIndex("knowledge_chunks", "id", BinaryString(36), texts=("title", "content"))


def _users() -> list[sa.Column]:
    return [
        sa.Column("id", BinaryString(36), nullable=False),
        sa.Column("external_id", BinaryString(255), nullable=True),
        sa.Column("name", BinaryString(255), nullable=True),
        sa.Column("email", BinaryString(255), nullable=True),
        sa.Column("email_key", BinaryString(255), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    ]


def _conversations() -> list[sa.Column]:
    return [
        sa.Column("id", BinaryString(36), nullable=False),
        sa.Column("user_id", BinaryString(36), nullable=True),
        sa.Column("title", BinaryText(), nullable=True),
        sa.Column("status", BinaryString(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_conversations_user_id_users", ondelete="CASCADE"),
    ]


def _messages() -> list[sa.Column]:
    return [
        sa.Column("id", BinaryString(36), nullable=False),
        sa.Column("conversation_id", BinaryString(36), nullable=False),
        sa.Column("sender_type", BinaryString(16), nullable=False),
        sa.Column("content", BinaryText(), nullable=False),
        sa.Column("role_metadata", JsonText(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name="fk_messages_conversation_id_conversations",
            ondelete="CASCADE",
        ),
    ]  # fmt: skip


def _knowledge_chunks() -> list[sa.Column]:
    return [
        sa.Column("id", BinaryString(36), nullable=False),
        sa.Column("source", BinaryString(255), nullable=False),
        sa.Column("external_id", BinaryString(255), nullable=False),
        sa.Column("title", BinaryText(), nullable=True),
        sa.Column("content", BinaryText(), nullable=False),
        sa.Column("chunk_metadata", JsonText(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_chunks"),
    ]


# table -> (its columns and constraints, its indexes: name -> (columns, unique))
TABLES = {
    "users": (_users, {
        "ix_users_external_id": (["external_id"], True),
        "ix_users_email_key": (["email_key"], True),
    }),
    "conversations": (_conversations, {
        "ix_conversations_user_id_status": (["user_id", "status"], False),
        "ix_conversations_created_at": (["created_at"], False),
    }),
    "messages": (_messages, {
        "ix_messages_conversation_id_created_at": (["conversation_id", "created_at"], False),
        "ix_messages_sender_type": (["sender_type"], False),
    }),
    "knowledge_chunks": (_knowledge_chunks, {
        "ix_knowledge_chunks_source": (["source"], False),
        "ix_knowledge_chunks_external_id": (["external_id"], False),
        "ix_knowledge_chunks_created_at": (["created_at"], False),
        "ix_knowledge_chunks_source_external_id": (["source", "external_id"], True),
    }),
}  # fmt: skip
# memcore's own columns a legacy table lacks, with the value existing rows get.
ADDED = {
    "users": [("email_key", BinaryString(255), None)],
    "conversations": [("version", sa.Integer(), "1")],
    "messages": [("sequence", sa.Integer(), "0")],
}


def _adopt(inspector: sa.Inspector, name: str) -> set[str]:
    """Add what a legacy table lacks; return the names of the indexes it already has."""
    present = {column["name"] for column in inspector.get_columns(name)}
    for column, type_, fill in ADDED.get(name, []):
        if column not in present:
            with op.batch_alter_table(name) as batch:
                batch.add_column(sa.Column(column, type_, nullable=True))
            if fill is not None:
                op.execute(sa.text(f"UPDATE {name} SET {column} = {fill}"))
                with op.batch_alter_table(name) as batch:
                    batch.alter_column(column, existing_type=type_, nullable=False)
    if name == "knowledge_chunks" and op.get_bind().dialect.name == "mysql":
        # The search table's foreign key needs the very same key type, collation included.
        with op.batch_alter_table(name) as batch:
            batch.alter_column("id", type_=BinaryString(36), existing_nullable=False)
    if name == "users":
        op.execute(sa.text("UPDATE users SET email_key = LOWER(email) WHERE email IS NOT NULL AND email_key IS NULL"))
    return {index["name"] for index in inspector.get_indexes(name)}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for name, (columns, indexes) in TABLES.items():
        existing: set[str] = set()
        if inspector.has_table(name):
            existing = _adopt(inspector, name)
        else:
            op.create_table(name, *columns(), **MYSQL)
        for index, (fields, unique) in indexes.items():
            if index not in existing:
                op.create_index(index, name, fields, unique=unique)
    connection = op.get_bind()
    search.drop(connection, SEARCH)
    search.create(connection, SEARCH)  # indexes the rows of an adopted table too


def downgrade() -> None:
    search.drop(op.get_bind(), SEARCH)
    for name in reversed(TABLES):
        op.drop_table(name)  # its indexes go with it
