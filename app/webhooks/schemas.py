from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from app.http import Version
from app.models import DeliveryStatus, WebhookEvent

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Events = Annotated[list[WebhookEvent], Field(min_length=1, max_length=len(WebhookEvent))]


def _unique(events: list[WebhookEvent] | None) -> list[WebhookEvent] | None:
    return sorted(set(events)) if events is not None else None


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    description: Description | None = None
    events: Events = Field(default_factory=lambda: sorted(WebhookEvent))

    _events = field_validator("events")(_unique)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: Description | None = None
    events: Events | None = None
    active: StrictBool | None = None
    version: Version | None = None

    _events = field_validator("events")(_unique)


class WebhookPublic(BaseModel):
    id: UUID
    url: str
    description: str | None
    events: list[WebhookEvent]
    active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="The signing secret (whsec_…): shown this once, never again.")


class DeliveryPublic(BaseModel):
    id: UUID
    webhook_id: UUID
    event_type: str
    message_id: str = Field(description="The webhook-id header: the same on retries and replays.")
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    sent_at: datetime | None
    reminder_id: UUID | None
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime
