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
one thread trip. A server that refuses CREATE TRIGGER to this user (binary logging without SUPER)
leaves the trigger out with a warning; memory then appends by its full path.
"""

import logging
from collections.abc import Callable
from typing import Any

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


# The server's refusals of CREATE TRIGGER to this user: binary logging on without SUPER (1419), no
# TRIGGER privilege (1142), no SUPER where the server wants it (1227). The schema is whole without
# the trigger: conversation memory then appends by its full path (memory_plans.NO_TRIGGER).
REFUSED = {1419, 1142, 1227}


def create_trigger(execute: Callable[[Any], object]) -> bool:
    """Create the trigger through `execute`; False, with a warning, when the server refuses it."""
    try:
        execute(sa.text(CREATE))
    except sa.exc.DBAPIError as exc:
        args = getattr(exc.orig, "args", ())
        if not (args and args[0] in REFUSED):
            raise
        logging.getLogger("alembic").warning(
            "MariaDB refused CREATE TRIGGER %s (error %s); conversation memory appends take their "
            "full path instead of one statement", NAME, args[0],
        )  # fmt: skip
        return False
    return True


def upgrade() -> None:
    if _is_mariadb():
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {NAME}"))
        create_trigger(op.execute)


def downgrade() -> None:
    if _is_mariadb():
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {NAME}"))
