"""The reminder outbox: one row per reminder owed, claimed by workers under a lease."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel, col

from app.models.base import UTCDateTime, created_at_field, id_field, str_enum
from app.models.task import Task


class Channel(StrEnum):
    email = "email"
    webhook = "webhook"


class ReminderKind(StrEnum):
    before = "before"  # n days before the due date
    due = "due"  # on the due date
    overdue = "overdue"  # every n days while overdue
    escalation = "escalation"  # to the plan's coordinators
    stale = "stale"  # no update for the plan's check-in period


class ReminderSubject(StrEnum):
    task = "task"  # a task's deadline: subject_id is the task's id
    report = "report"  # a commitment's report for a period: subject_id is the commitment's id


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # the last attempt failed; another one is scheduled
    dead = "dead"  # every attempt failed
    cancelled = "cancelled"  # the task closed or moved before it went out


OPEN_STATUSES = (DeliveryStatus.pending, DeliveryStatus.failed)


class Outbox(SQLModel):
    """Delivery state shared by everything a worker sends.

    A worker claims a row by setting `claimed_until` (a lease) in a committed transaction, sends
    it, then records the outcome; a worker killed in between leaves the lease to expire, and the
    row is claimed again: delivery is at least once, and the one in flight is the only repeat.
    """

    status: DeliveryStatus = Field(
        default=DeliveryStatus.pending, sa_type=str_enum(DeliveryStatus, length=12)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ReminderDigest(Outbox, table=True):
    """One e-mail per person and sending time, listing every reminder of theirs due then."""

    __tablename__ = "reminder_digest"
    __table_args__ = (
        UniqueConstraint("user_id", "fire_at"),
        Index("ix_reminder_digest_claim", "status", "next_attempt_at"),
    )

    id: UUID = id_field()
    user_id: UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    address: str = Field(max_length=320)
    fire_at: datetime = Field(sa_type=UTCDateTime)


class Reminder(Outbox, table=True):
    """A reminder owed: at most one per (subject, series, kind and day, recipient, channel).

    The subject is a task (series: its due date) or a commitment's report for a period (series:
    the period's id); `subject_id` is the task's or the commitment's id, never NULL, so the
    unique key holds alike on SQLite and PostgreSQL.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint(
            "subject",
            "subject_id",
            "series",
            "kind",
            "point_on",
            "recipient",
            "channel",
            name="uq_reminder_key",
        ),
        Index("ix_reminder_claim", "channel", "status", "next_attempt_at"),
        Index("ix_reminder_fire_at_id", "fire_at", "id"),
        Index("ix_reminder_recipient", "recipient"),
    )

    id: UUID = id_field()
    subject: ReminderSubject = Field(
        default=ReminderSubject.task,
        sa_type=str_enum(ReminderSubject, length=12),
        sa_column_kwargs={"server_default": ReminderSubject.task.value},
    )
    subject_id: UUID
    task_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("task.id", ondelete="CASCADE"), nullable=True),
    )
    commitment_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("commitment.id", ondelete="CASCADE"), nullable=True),
    )
    period: str | None = Field(default=None, max_length=12)  # a report's period: 2026-S2
    # A task's due date (ISO), "-" for a task without one, or a report's period: a moved due
    # date starts a new series, and NULL would make the unique key ineffective.
    series: str = Field(max_length=10)
    due_date: date | None = None
    kind: ReminderKind = Field(sa_type=str_enum(ReminderKind, length=12))
    point_on: date  # the day the policy names, before the weekend or holiday shift
    offset_days: int | None = None  # point_on - due_date: -7 is a week before
    # due_date: the task's, or the day the report of the period is due
    channel: Channel = Field(sa_type=str_enum(Channel, length=12))
    recipient: str = Field(max_length=36)  # the user's or the webhook's id
    user_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=True),
    )
    webhook_id: UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("webhook.id", ondelete="CASCADE"), nullable=True)
    )
    address: str | None = Field(default=None, max_length=320)
    fire_at: datetime = Field(sa_type=UTCDateTime)  # 09:00 local on a working day
    digest_id: UUID | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("reminder_digest.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )


class ReminderPass(SQLModel, table=True):
    """How far the scheduler has looked: the next pass looks at (scheduled_until, now] only.

    Its row lock serialises concurrent scheduling passes, so workers never race on inserts.
    """

    __tablename__ = "reminder_pass"

    name: str = Field(primary_key=True, max_length=20)
    scheduled_until: datetime = Field(sa_type=UTCDateTime)


# A task-level policy override, spelled the same in the index and in the query that uses it so
# SQLite's planner sees the match. JSON null counts as none: the JSON type stores None as 'null'.
TASK_OVERRIDE = "reminder_policy IS NOT NULL AND CAST(reminder_policy AS TEXT) <> 'null'"

# Indexes on the task table that the reminder pass needs to cost what is due, not what is stored.
Index("ix_task_activity_at", col(Task.activity_at))
Index(
    "ix_task_reminder_override",
    col(Task.status),
    sqlite_where=text(TASK_OVERRIDE),
    postgresql_where=text(TASK_OVERRIDE),
)
