"""reliability_steps, reliability_workflows and reliability_slo_measurements tables

ia_modules' reliability records (memcore.compat.ia_metrics.SQLMetricStorage), with its table and
column names; timestamps UTC, booleans native. A table ia_modules' own V001 already created is
left as it is (its columns are the same).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from memcore.infrastructure.sqlalchemy.types import BinaryString, BinaryText, UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id(table: str) -> list[sa.Column | sa.PrimaryKeyConstraint]:
    return [sa.Column("id", ID, autoincrement=True, nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "reliability_steps" not in existing:
        op.create_table(
            "reliability_steps",
            *_id("reliability_steps"),
            sa.Column("agent_name", BinaryString(255), nullable=False),
            sa.Column("success", sa.Boolean(), nullable=False),
            sa.Column("required_compensation", sa.Boolean(), nullable=False),
            sa.Column("required_human", sa.Boolean(), nullable=False),
            sa.Column("mode", BinaryString(50), nullable=True),
            sa.Column("declared_mode", BinaryString(50), nullable=True),
            sa.Column("mode_violation", sa.Boolean(), nullable=False),
            sa.Column("timestamp", UtcDateTime(), nullable=False),
            sqlite_autoincrement=True,
            **MYSQL,
        )
        op.create_index("ix_reliability_steps_agent_name_timestamp", "reliability_steps", ["agent_name", "timestamp"])
        op.create_index("ix_reliability_steps_timestamp", "reliability_steps", ["timestamp"])
    if "reliability_workflows" not in existing:
        op.create_table(
            "reliability_workflows",
            *_id("reliability_workflows"),
            sa.Column("workflow_id", BinaryString(255), nullable=False),
            sa.Column("steps", sa.Integer(), nullable=False),
            sa.Column("retries", sa.Integer(), nullable=False),
            sa.Column("success", sa.Boolean(), nullable=False),
            sa.Column("required_human", sa.Boolean(), nullable=False),
            sa.Column("timestamp", UtcDateTime(), nullable=False),
            sqlite_autoincrement=True,
            **MYSQL,
        )
        op.create_index("ix_reliability_workflows_workflow_id", "reliability_workflows", ["workflow_id"], unique=True)
        op.create_index("ix_reliability_workflows_timestamp", "reliability_workflows", ["timestamp"])
    if "reliability_slo_measurements" not in existing:
        op.create_table(
            "reliability_slo_measurements",
            *_id("reliability_slo_measurements"),
            sa.Column("measurement_type", BinaryString(10), nullable=False),
            sa.Column("thread_id", BinaryString(255), nullable=False),
            sa.Column("checkpoint_id", BinaryString(255), nullable=True),
            sa.Column("duration_ms", sa.BigInteger(), nullable=True),
            sa.Column("replay_mode", BinaryString(50), nullable=True),
            sa.Column("success", sa.Boolean(), nullable=False),
            sa.Column("error", BinaryText(), nullable=True),
            sa.Column("timestamp", UtcDateTime(), nullable=False),
            sqlite_autoincrement=True,
            **MYSQL,
        )
        op.create_index(
            "ix_reliability_slo_measurements_measurement_type_timestamp",
            "reliability_slo_measurements",
            ["measurement_type", "timestamp"],
        )


def downgrade() -> None:
    for table in ("reliability_slo_measurements", "reliability_workflows", "reliability_steps"):
        op.drop_table(table)
