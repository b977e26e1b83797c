"""Webhook subscriptions and their deliveries (the webhook outbox)."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, ForeignKey, Index
from sqlmodel import Field

from app.models.base import UTCDateTime, Versioned, id_field
from app.models.reminder import Outbox


class WebhookEvent(StrEnum):
    task_created = "task.created"
    task_updated = "task.updated"
    task_status_changed = "task.status_changed"
    task_reminder = "task.reminder"
    task_overdue = "task.overdue"
    task_escalated = "task.escalated"
    report_reminder = "report.reminder"
    report_overdue = "report.overdue"
    report_escalated = "report.escalated"


class Webhook(Versioned, table=True):
    __tablename__ = "webhook"

    id: UUID = id_field()
    url: str = Field(max_length=2000)
    description: str | None = Field(default=None, max_length=300)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    # Kept as is, not hashed: every delivery is signed with it. Shown once, at creation or
    # rotation.
    secret: str = Field(max_length=100, repr=False)
    # The secret the last rotation retired: it signs beside `secret` until the instant below,
    # so receivers can switch without refusing a delivery. Neither is ever shown.
    previous_secret: str | None = Field(default=None, max_length=100, repr=False)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    consecutive_failures: int = 0
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str | None = Field(default=None, max_length=300)
    created_by: UUID | None = None


class WebhookDelivery(Outbox, table=True):
    """One event for one webhook. `message_id` is the webhook-id header: the same on every
    retry and replay, so a receiver can drop repeats."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_claim", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_log", "webhook_id", "created_at", "id"),
    )

    id: UUID = id_field()
    webhook_id: UUID = Field(
        sa_column=Column(ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False)
    )
    event_type: str = Field(max_length=40)
    message_id: str = Field(max_length=40, unique=True)
    payload: dict[str, Any] = Field(sa_type=JSON)
    reminder_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("reminder.id", ondelete="CASCADE"), nullable=True, unique=True),
    )
    last_status_code: int | None = None
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
