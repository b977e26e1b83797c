"""owner tally slips: the summary's rollup sums task.slips per organisation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:00:00

`owner_tally` gains `slips`: the due-date moves to a later day (task.slips) of the tasks in
each cell, so the summary reads the slips per organisation from the rollup as it reads every
other count. Existing cells are backfilled from the tasks and their owners, cell by cell, with
the keys the rollup places them by (organisation, role, commitment, done, year due); no other
value changes. A rollup not built yet has no cells, and the first task write builds it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as this revision knows them, not as the models will change them.
TASK = sa.table(
    "task",
    sa.column("id", sa.Uuid()),
    sa.column("commitment_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("due_date", sa.Date()),
    sa.column("slips", sa.Integer()),
)
TASK_OWNER = sa.table(
    "task_owner",
    sa.column("task_id", sa.Uuid()),
    sa.column("organisation_id", sa.Uuid()),
    sa.column("role", sa.String()),
)
OWNER_TALLY = sa.table(
    "owner_tally",
    sa.column("organisation_id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("commitment_id", sa.Uuid()),
    sa.column("done", sa.Boolean()),
    sa.column("due_year", sa.Integer()),
    sa.column("slips", sa.Integer()),
)
DONE = ("completed", "cancelled")
KEYS = ("organisation_id", "role", "commitment_id", "done", "due_year")


def upgrade() -> None:
    with op.batch_alter_table("owner_tally", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slips", sa.Integer(), server_default="0", nullable=False))
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """Each cell's slips, summed over the slipped tasks only (few, whatever the tasks)."""
    task, owner = TASK.c, TASK_OWNER.c
    done = task.status.in_(DONE)
    due_year = sa.case(
        (done | task.due_date.is_(None), 0),
        else_=sa.cast(sa.extract("year", task.due_date), sa.Integer),
    )
    keys = (owner.organisation_id, owner.role, task.commitment_id, done, due_year)
    summed = (
        sa.select(*keys, sa.func.sum(task.slips))
        .select_from(TASK.join(TASK_OWNER, owner.task_id == task.id))
        .where(task.slips > 0)
        .group_by(*keys)
    )
    rows = [
        {
            **{f"cell_{name}": value for name, value in zip(KEYS, row[:-1], strict=True)},
            "sum": row[-1],
        }
        for row in connection.execute(summed)
    ]
    if not rows:
        return
    cell = OWNER_TALLY.c
    statement = (
        OWNER_TALLY.update()
        .where(*(cell[name] == sa.bindparam(f"cell_{name}") for name in KEYS))
        .values(slips=sa.bindparam("sum"))
    )
    connection.execute(statement, rows)


def downgrade() -> None:
    with op.batch_alter_table("owner_tally", schema=None) as batch_op:
        batch_op.drop_column("slips")
