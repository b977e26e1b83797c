from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, Versioned, created_at_field, id_field, str_enum


class TaskStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    blocked = "blocked"
    completed = "completed"
    cancelled = "cancelled"


# The one split of the statuses: work that is over is never overdue, counts as done in the
# summary and gets no reminders; open work is everything else.
TASK_DONE: frozenset[TaskStatus] = frozenset({TaskStatus.completed, TaskStatus.cancelled})
TASK_OPEN: frozenset[TaskStatus] = frozenset(TaskStatus) - TASK_DONE


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class OwnerRole(StrEnum):
    lead = "lead"
    support = "support"


class Task(Versioned, table=True):
    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        Index("ix_task_status_due_date", "status", "due_date"),
        # The task list's order (app.tasks.query.PAGE_KEY): a page reads its rows, sorts nothing.
        Index("ix_task_created_at_id", "created_at", "id"),
        # Covers the dashboard summary's aggregates: counted from the index, not the table.
        Index("ix_task_rollup", "commitment_id", "status", "due_date", "progress", "id"),
    )

    id: UUID = id_field()
    commitment_id: UUID = Field(
        sa_column=Column(
            ForeignKey("commitment.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    title: str = Field(max_length=300)
    description: str | None = None
    status: TaskStatus = Field(default=TaskStatus.not_started, sa_type=str_enum(TaskStatus))
    progress: int = 0
    start_date: date | None = None
    due_date: date | None = Field(default=None, index=True)
    # Moves of the due date to a later day, each with its reason in history (decision 0016).
    slips: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    priority: Priority = Field(default=Priority.medium, sa_type=str_enum(Priority))
    assignee_id: UUID | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    # The last status change or progress update: resets the escalation and stale clocks.
    activity_at: datetime = created_at_field()
    # Reminder policy override for this task; {"enabled": false} silences it.
    reminder_policy: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class TaskOwner(SQLModel, table=True):
    __tablename__ = "task_owner"
    # Covers the summary's per-organisation join from tasks to their owners.
    __table_args__ = (Index("ix_task_owner_rollup", "task_id", "organisation_id", "role"),)

    task_id: UUID = Field(
        sa_column=Column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    organisation_id: UUID = Field(
        sa_column=Column(
            ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )
    role: OwnerRole = Field(sa_type=str_enum(OwnerRole, length=12))


class History(SQLModel, table=True):
    """Append-only: one row per changed field. No foreign key to the entity, so the record of a
    deleted task outlives it."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=40)
    entity_id: UUID
    action: str = Field(max_length=40)
    field: str | None = Field(default=None, max_length=60)
    old: Any | None = Field(default=None, sa_type=JSON)
    new: Any | None = Field(default=None, sa_type=JSON)
    note: str | None = Field(default=None, max_length=4000)
    actor_id: UUID | None = None
    at: datetime = Field(sa_type=UTCDateTime)
