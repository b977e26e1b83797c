"""A reminder's webhook payload links to the task's page for people, as its e-mail does."""

from datetime import timedelta

from sqlmodel import Session

from app.config import Settings
from app.models import WebhookEvent
from app.webhooks import service as webhooks
from app.webhooks.schemas import WebhookCreate
from tests.conftest import NOW
from tests.factories import make_user
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Receiver


def test_the_reminder_payload_links_to_the_task_page(
    session: Session, settings: Settings, run: Run, receiver: Receiver
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    data = WebhookCreate(url=receiver.url, events=[WebhookEvent("task.reminder")])
    webhooks.create(session, data, settings=settings, actor_id=make_user(session).id, now=NOW)
    session.commit()

    run(at_nine(NOW.date()))

    [request] = receiver.requests
    assert request.json()["data"]["task"]["url"] == f"http://127.0.0.1:8000/tasks/{team.task.id}"
