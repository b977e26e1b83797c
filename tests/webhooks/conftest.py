from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import events
from app.clock import FixedClock
from app.config import Settings
from app.db import unit_of_work
from app.main import create_app
from app.models import Role, Webhook, WebhookDelivery
from app.outbox.sender import WebhookSender
from tests.conftest import NOW
from tests.factories import login
from tests.mailing import settings, smtp
from tests.reminders.conftest import run
from tests.reminders.servers import Receiver, receiver

__all__ = ["receiver", "run", "settings", "smtp"]

URL = "/api/v1/webhooks"
TASK = {"task": {"id": "7c0e0f3e-1d7a-4c55-9a43-2d7f4bb0c001", "title": "Draft the guideline"}}
PUBLIC_KEYS = {
    "id",
    "url",
    "description",
    "events",
    "active",
    "consecutive_failures",
    "disabled_at",
    "disabled_reason",
    "version",
    "created_at",
    "updated_at",
}


@pytest.fixture
def strict_client(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[TestClient]:
    """The API as deployed by default: no PANTAU_WEBHOOK_ALLOWLIST."""
    strict = settings.model_copy(update={"webhook_allowlist": []})
    with TestClient(create_app(strict, clock=clock, engine=db)) as client:
        yield client


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    _, headers = login(session, role=Role.admin)
    return headers


def subscribe(
    client: TestClient, headers: dict[str, str], receiver: Receiver, *events: str
) -> dict[str, Any]:
    body: dict[str, object] = {"url": receiver.url, "description": "test receiver"}
    if events:
        body["events"] = list(events)
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def sender(settings: Settings) -> Iterator[WebhookSender]:
    """The worker's sender, for tests that send one attempt themselves."""
    sender = WebhookSender(settings)
    yield sender
    sender.close()


def publish(engine: Engine, event: str = events.TASK_CREATED, at: datetime = NOW) -> None:
    """A task event, committed as a task write would commit it."""
    with unit_of_work(engine) as session:
        events.publish(session, event, TASK, at)


def deliveries(session: Session) -> list[WebhookDelivery]:
    session.commit()  # end the read snapshot: see what the worker committed since
    session.expire_all()
    statement = select(WebhookDelivery).order_by(col(WebhookDelivery.created_at))
    return list(session.exec(statement).all())


def webhook(session: Session, webhook_id: object) -> Webhook:
    session.commit()
    session.expire_all()
    found = session.get(Webhook, UUID(str(webhook_id)))
    assert found is not None
    return found


@dataclass
class Subscription:
    """The test's receiver, subscribed by an admin through the API, and what the tests do
    with it."""

    client: TestClient
    admin: dict[str, str]
    receiver: Receiver
    session: Session
    created: dict[str, Any]

    @property
    def url(self) -> str:
        return f"{URL}/{self.created['id']}"

    def row(self) -> Webhook:
        return webhook(self.session, self.created["id"])

    def deliveries(self) -> list[WebhookDelivery]:
        return deliveries(self.session)


Subscribe = Callable[..., Subscription]


@pytest.fixture
def subscribe_receiver(
    client: TestClient, admin: dict[str, str], receiver: Receiver, session: Session
) -> Subscribe:
    """Subscribes the receiver to the events named (every event when none is)."""

    def subscribed(*events: str) -> Subscription:
        created = subscribe(client, admin, receiver, *events)
        return Subscription(client, admin, receiver, session, created)

    return subscribed


@pytest.fixture
def subscription(subscribe_receiver: Subscribe) -> Subscription:
    """The receiver, subscribed to every event."""
    return subscribe_receiver()
