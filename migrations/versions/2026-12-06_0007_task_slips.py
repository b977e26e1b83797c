"""task slips: how many times a task's due date was moved later

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:00:00

Tasks gain `slips`, counted from now on by every move of a due date to a later day (the reason
of each move is in the task's history). Existing tasks start at 0: moves made before the
upgrade carried no reason, and the count says what the coordinator has explained.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slips", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("slips")
