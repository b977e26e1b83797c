"""report reminders: the reminder outbox keyed on a subject, a task or a commitment's report

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:50:00

Reminders were keyed on a non-null task. They now name a subject (`task` or `report`) and its
id (the task's, or the commitment's for a report, with the report's `period`), and the unique
key is (subject, subject_id, series, kind, point_on, recipient, channel): no column of it is
NULL, so it holds alike on SQLite and PostgreSQL. `task_id` stays for task reminders (NULL for
a report's) and `commitment_id` is new, both cascading. Existing rows become task reminders
whose subject id is their task: every reminder already scheduled keeps its key, so none is
scheduled twice across the upgrade.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = "uq_reminder_task_id_series_kind_point_on_recipient_channel"
SUBJECT = sa.Enum("task", "report", name="remindersubject", native_enum=False, length=12)


@contextmanager
def deliveries_kept() -> Iterator[None]:
    """SQLite alters `reminder` by copying it and dropping the original, and with foreign keys
    on (they are, and cannot be switched off inside the migration's transaction) that drop
    deletes the webhook deliveries of reminders by cascade. They are set aside and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE TEMP TABLE kept_delivery AS "
            "SELECT * FROM webhook_delivery WHERE reminder_id IS NOT NULL"
        )
    yield
    if sqlite:
        op.execute(
            "INSERT INTO webhook_delivery SELECT * FROM kept_delivery "
            "WHERE id NOT IN (SELECT id FROM webhook_delivery) "
            "AND reminder_id IN (SELECT id FROM reminder)"
        )
        op.execute("DROP TABLE kept_delivery")


def upgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", SUBJECT, server_default="task", nullable=False))
        batch_op.add_column(sa.Column("subject_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("commitment_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True)
        )
    op.execute("UPDATE reminder SET subject_id = task_id")
    with deliveries_kept(), op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("task_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_constraint(OLD_KEY, type_="unique")
        batch_op.create_unique_constraint(
            "uq_reminder_key",
            ["subject", "subject_id", "series", "kind", "point_on", "recipient", "channel"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_commitment_id_commitment"),
            "commitment",
            ["commitment_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    # Report reminders have no task: they cannot be kept under the old key.
    op.execute("DELETE FROM reminder WHERE task_id IS NULL")
    with deliveries_kept(), op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reminder_commitment_id_commitment"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_reminder_key", type_="unique")
        batch_op.create_unique_constraint(
            OLD_KEY, ["task_id", "series", "kind", "point_on", "recipient", "channel"]
        )
        batch_op.alter_column("task_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("period")
        batch_op.drop_column("commitment_id")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject")
