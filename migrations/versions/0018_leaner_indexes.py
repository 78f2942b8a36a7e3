"""Leaner indexes: drop `messages (sender_type)`; `metric_points (series_id, ts)` covers `value`

Revision ID: 0018
Revises: 0017

`messages (sender_type)`: every read that filters by sender type filters by conversation too and
is served by the `(conversation_id, ...)` indexes; an index on a column of a handful of values
only cost each append one more B-tree write (the sessions bench's appends).

`metric_points (series_id, ts)` becomes `(series_id, ts, value)`: a bucketed aggregate then reads
the index alone, not the table row of every point (the metrics bench's 1M aggregate), and every
query the narrower index served uses its prefix. The new one is built before the old is dropped:
MariaDB's foreign key on `series_id` needs one of them at every moment.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SENDER = "ix_messages_sender_type"
NARROW, COVERING = "ix_metric_points_series_id_ts", "ix_metric_points_series_id_ts_value"


def upgrade() -> None:
    op.drop_index(SENDER, table_name="messages")
    op.create_index(COVERING, "metric_points", ["series_id", "ts", "value"])
    op.drop_index(NARROW, table_name="metric_points")


def downgrade() -> None:
    op.create_index(NARROW, "metric_points", ["series_id", "ts"])
    op.drop_index(COVERING, table_name="metric_points")
    op.create_index(SENDER, "messages", ["sender_type"])
