"""reports: periodic reports on commitments, and a plan's reporting periods

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:40:00

A new table `report` (one per commitment and period) and a nullable `plan.reporting_policy`
(NULL: the periods the settings give). Existing rows are untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("commitment_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "accepted",
                "returned",
                name="reportstate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "assessment",
            sa.Enum(
                "not_started",
                "limited",
                "substantial",
                "complete",
                "not_applicable",
                name="assessment",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("narrative_en", sa.Text(), nullable=True),
        sa.Column("narrative_id", sa.Text(), nullable=True),
        sa.Column("indicator_value", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_report_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_report_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_report_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user_account.id"],
            name=op.f("fk_report_reviewer_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_report_task_id_task"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("commitment_id", "period", name=op.f("uq_report_commitment_id_period")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporting_policy", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("reporting_policy")

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_plan_id"))
        batch_op.drop_index(batch_op.f("ix_report_period"))

    op.drop_table("report")
