from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import Plan, Reminder, Role, Task, User
from app.outbox.sender import WebhookSender
from app.reminders import service
from tests.factories import (
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_plan,
    make_task,
    make_user,
)
from tests.mailing import settings, smtp
from tests.reminders.servers import receiver

__all__ = ["receiver", "settings", "smtp"]

Run = Callable[..., Counter[str]]


@pytest.fixture
def run(db: Engine, settings: Settings) -> Iterator[Run]:
    """One reminder pass at an instant, as `reminders run --once --now` does."""
    senders: list[WebhookSender] = []

    def run_at(now: datetime, **overrides: Any) -> Counter[str]:
        chosen = settings.model_copy(update=overrides) if overrides else settings
        sender = WebhookSender(chosen)
        senders.append(sender)
        return service.run_once(db, chosen, now, sender=sender, worker="test")

    yield run_at
    for sender in senders:
        sender.close()


def at_nine(day: date, offset_hours: int = 7) -> datetime:
    """09:00 local on the day, in a zone `offset_hours` east of UTC, as a UTC instant."""
    from datetime import UTC

    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC) - timedelta(hours=offset_hours)


class Team:
    """A plan, a commitment led by an organisation, its people and one task."""

    def __init__(
        self,
        session: Session,
        *,
        due: date | None,
        time_zone: str = "Asia/Jakarta",
        tag: str = "",
    ) -> None:
        self.session = session
        self.plan = make_plan(session, time_zone=time_zone)
        self.lead = make_organisation(session)
        self.commitment = make_commitment(session, plan=self.plan, lead=self.lead)
        self.assignee = make_user(session, role=Role.contributor, email=f"ayu{tag}@example.test")
        self.contributor = make_user(
            session, role=Role.contributor, organisation=self.lead, email=f"budi{tag}@example.test"
        )
        self.coordinator = make_user(
            session, role=Role.coordinator, email=f"citra{tag}@example.test"
        )
        make_coordinator_of(session, plan=self.plan, user=self.coordinator)
        self.task = make_task(
            session,
            commitment=self.commitment,
            due_date=due,
            lead=self.lead,
            assignee=self.assignee,
        )

    def change(self, row: Task | Plan | User, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.commit()

    def reminders(self) -> list[Reminder]:
        self.session.commit()  # end the read snapshot: see what the worker committed since
        self.session.expire_all()
        statement = select(Reminder).order_by(col(Reminder.fire_at), col(Reminder.address))
        return list(self.session.exec(statement).all())
