"""plan kind: road map, action plan, strategy or regulation

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 21:00:00

Plans gain `kind`. Existing rows become action plans (the server default), except the Perpres
87/2025 road map, which the starter catalogue has always held under this code; reloading the
catalogue sets the kind of any other catalogued plan.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("action_plan", "road_map", "strategy", "regulation")


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(*KINDS, name="plankind", native_enum=False, length=24),
                server_default="action_plan",
                nullable=False,
            )
        )
    plan = sa.table("plan", sa.column("code", sa.String), sa.column("kind", sa.String))
    op.execute(plan.update().where(plan.c.code == "ID-PERPRES-87-2025").values(kind="road_map"))


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("kind")
