from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from app.models import Channel, DeliveryStatus, ReminderKind, ReminderSubject


class ReminderPublic(BaseModel):
    id: UUID
    subject: ReminderSubject = Field(
        description="`task`: a task's deadline; `report`: a commitment's report for a period."
    )
    task_id: UUID | None = Field(description="The task of a task reminder; null for a report's.")
    commitment_id: UUID | None = Field(
        description="The commitment whose report is owed; null for a task reminder."
    )
    period: str | None = Field(description="The reporting period of a report reminder.")
    due_date: date | None
    kind: ReminderKind
    point_on: date
    offset_days: int | None
    channel: Channel
    recipient: str
    address: str | None
    fire_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    digest_id: UUID | None
    webhook_id: UUID | None
    delivery_id: UUID | None
    created_at: datetime
    updated_at: datetime
