from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Role, Webhook, WebhookDelivery
from tests.factories import login
from tests.reminders.conftest import run, settings
from tests.reminders.servers import Receiver, receiver, smtp

__all__ = ["receiver", "run", "settings", "smtp"]

URL = "/api/v1/webhooks"


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
) -> dict[str, object]:
    body: dict[str, object] = {"url": receiver.url, "description": "test receiver"}
    if events:
        body["events"] = list(events)
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


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
