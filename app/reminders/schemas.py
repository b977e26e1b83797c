from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from app.models import Channel, DeliveryStatus, ReminderKind


class ReminderPublic(BaseModel):
    id: UUID
    task_id: UUID
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
