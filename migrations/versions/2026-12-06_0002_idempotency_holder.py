"""idempotency claims name their holder process

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 20:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Claims made before the upgrade have no holder: they go stale by age, as before.
    with op.batch_alter_table("idempotent_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotent_request", schema=None) as batch_op:
        batch_op.drop_column("holder")
