"""attempts counted per client and window (failed authentication)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attempt_count",
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("window_start", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "key", "window_start", name=op.f("pk_attempt_count")),
    )
    with op.batch_alter_table("attempt_count", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempt_count_window_start"), ["window_start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attempt_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_count_window_start"))
    op.drop_table("attempt_count")
