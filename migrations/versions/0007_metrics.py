"""metric_series, metric_series_tags and metric_points tables

A series is a metric name with one set of tags; points hold its values, timestamped in integer
microseconds since the Unix epoch (UTC), so buckets are integer arithmetic on every dialect. Tags
are also kept one row each, as canonical JSON text, for equality filters that need no JSON support.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, Double, JsonText

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "metric_series",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", BinaryString(255), nullable=False),
        sa.Column("tags", JsonText(), nullable=False),
        sa.Column("series_key", BinaryString(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_series"),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index("ix_metric_series_series_key", "metric_series", ["series_key"], unique=True)
    op.create_index("ix_metric_series_name", "metric_series", ["name"])
    op.create_table(
        "metric_series_tags",
        sa.Column("series_id", ID, nullable=False),
        sa.Column("tag", BinaryString(255), nullable=False),
        sa.Column("value", BinaryString(255), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "tag", name="pk_metric_series_tags"),
        sa.ForeignKeyConstraint(
            ["series_id"], ["metric_series.id"], name="fk_metric_series_tags_series_id_metric_series",
            ondelete="CASCADE",
        ),
        **MYSQL,
    )  # fmt: skip
    op.create_index("ix_metric_series_tags_tag_value", "metric_series_tags", ["tag", "value"])
    op.create_table(
        "metric_points",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("series_id", ID, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_points"),
        sa.ForeignKeyConstraint(
            ["series_id"], ["metric_series.id"], name="fk_metric_points_series_id_metric_series", ondelete="CASCADE"
        ),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index("ix_metric_points_series_id_ts", "metric_points", ["series_id", "ts"])
    op.create_index("ix_metric_points_ts", "metric_points", ["ts"])


def downgrade() -> None:
    for name in ("metric_points", "metric_series_tags", "metric_series"):
        op.drop_table(name)
