"""A reminder pass (schedule, then deliver) and the reminder list of the API."""

import os
import secrets
import socket
from collections import Counter
from datetime import datetime
from threading import Event
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, or_
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import unit_of_work
from app.http import PageParams, paginate
from app.models import Channel, DeliveryStatus, Reminder, Role, User, WebhookDelivery
from app.ops.metrics import REMINDERS
from app.outbox.sender import WebhookSender
from app.reminders import delivery, schedule
from app.reminders.schemas import ReminderPublic
from app.users import visibility

SEES_ALL = frozenset({Role.admin, Role.coordinator})


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:80]


def run_once(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    sender: WebhookSender,
    worker: str | None = None,
    stop: Event | None = None,
) -> Counter[str]:
    """One pass: schedules what fell due up to `now`, then sends everything pending."""
    with unit_of_work(engine) as session:
        scheduled = schedule.run(session, settings, now)
    REMINDERS.labels("scheduled").inc(scheduled)
    name = worker or worker_name()
    tally = delivery.deliver(engine, settings, now, worker=name, sender=sender, stop=stop)
    tally["scheduled"] += scheduled
    return tally


def list_reminders(
    session: Session,
    page: PageParams,
    *,
    viewer: User,
    task: UUID | None,
    statuses: list[DeliveryStatus],
    channel: Channel | None,
    recipient: str | None,
) -> tuple[list[ReminderPublic], str | None]:
    """Reminders in sending order. Coordinators and admins see all; others their own."""
    conditions = [
        col(Reminder.user_id) == viewer.id if viewer.role not in SEES_ALL else None,
        col(Reminder.task_id) == task if task is not None else None,
        col(Reminder.status).in_(statuses) if statuses else None,
        col(Reminder.channel) == channel if channel is not None else None,
        _recipient(recipient, viewer) if recipient else None,
    ]
    statement = select(Reminder).where(*(c for c in conditions if c is not None))
    rows, cursor = paginate(session, statement, [col(Reminder.fire_at), col(Reminder.id)], page)
    deliveries = _deliveries(session, [row.id for row in rows])
    seen = visibility.seen(session, viewer, (row.user_id for row in rows))
    items = [
        ReminderPublic.model_validate(
            {
                **row.model_dump(),
                "address": row.address if row.user_id in seen else None,
                "delivery_id": deliveries.get(row.id),
            }
        )
        for row in rows
    ]
    return items, cursor


def _recipient(recipient: str, viewer: User) -> ColumnElement[bool]:
    """A user or webhook id, an e-mail address, or `me`."""
    wanted = str(viewer.id) if recipient == "me" else recipient.strip()
    return or_(col(Reminder.recipient) == wanted, col(Reminder.address) == wanted.lower())


def _deliveries(session: Session, reminder_ids: list[UUID]) -> dict[UUID, UUID]:
    if not reminder_ids:
        return {}
    rows = session.exec(
        select(WebhookDelivery.reminder_id, WebhookDelivery.id).where(
            col(WebhookDelivery.reminder_id).in_(reminder_ids)
        )
    ).all()
    return {reminder_id: delivery_id for reminder_id, delivery_id in rows if reminder_id}
