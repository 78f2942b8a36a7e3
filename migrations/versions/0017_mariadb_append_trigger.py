"""MariaDB: a trigger numbers the messages conversation memory appends, in one statement

Revision ID: 0017
Revises: 0016

An appended message whose `sequence` is NULL gets it from its conversation: the trigger locks the
conversation row, takes its version as the sequence and bumps it, as the full append path does in
its own statements. A multi-row INSERT ... RETURNING is then a whole append in one autocommitted
round trip. It refuses (SQLSTATE 45000, the message memory_plans.FULL_PATH names) when the
conversation is absent, archived or at its version limit; the statement then changes nothing and
memory takes the full path, which says which. Rows given a sequence (the chat API, transfers) are
left alone. Other dialects are untouched: PostgreSQL appends in one statement already, SQLite in
one thread trip.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NAME = "messages_number_appends"
MAX_VERSION = 2**31 - 1  # domain/conversations/model.py, as of this revision
CREATE = f"""
CREATE TRIGGER {NAME} BEFORE INSERT ON messages FOR EACH ROW
BEGIN
  DECLARE v INT;
  DECLARE st VARCHAR(16);
  IF NEW.sequence IS NULL THEN
    SELECT version, status INTO v, st FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
    IF v IS NULL OR st <> 'active' OR v > {MAX_VERSION - 1} THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'memcore: append takes the full path';
    END IF;
    UPDATE conversations SET version = v + 1, updated_at = NEW.created_at WHERE id = NEW.conversation_id;
    SET NEW.sequence = v;
  END IF;
END
"""


def _is_mariadb() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "mysql" and bool(getattr(bind.dialect, "is_mariadb", False))


def upgrade() -> None:
    if _is_mariadb():
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {NAME}"))
        op.execute(sa.text(CREATE))


def downgrade() -> None:
    if _is_mariadb():
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {NAME}"))
