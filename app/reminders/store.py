"""Writes owed reminders into the outbox: the unique key makes every insert idempotent."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.config import Settings
from app.models import Channel, DeliveryStatus, Reminder, ReminderDigest, WebhookDelivery
from app.outbox import queue
from app.outbox.signing import new_message_id
from app.reminders import payloads
from app.reminders.audience import Audience
from app.reminders.planner import Owed
from app.reminders.reports import ReportAudience

KEY = ["subject", "subject_id", "series", "kind", "point_on", "recipient", "channel"]
Pending = tuple[Owed, Audience | ReportAudience]


def _insert(session: Session, model: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model.__table__)


def _many(session: Session, statement: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """One executemany at the Core level: a statement compiled once, whatever the rows."""
    if not rows:
        return []
    result = session.connection().execute(statement, rows)
    return list(result.all()) if result.returns_rows else []


def _state(now: datetime) -> dict[str, Any]:
    return {
        "status": DeliveryStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _digests(session: Session, pending: Sequence[Pending], now: datetime) -> dict[Any, UUID]:
    """New digests for people in digest mode, by (user, sending time). A digest that exists
    already may be on its way, so rows for it are sent on their own instead."""
    keys = {
        (o.user.id, o.fire_at): o.user.email
        for o, _ in pending
        if o.user is not None and o.user.digest
    }
    values = [
        {"id": uuid4(), "user_id": u, "fire_at": at, "address": email, **_state(now)}
        for (u, at), email in keys.items()
    ]
    statement = (
        _insert(session, ReminderDigest)
        .on_conflict_do_nothing(index_elements=["user_id", "fire_at"])
        .returning(col(ReminderDigest.id))
    )
    created = {row[0] for row in _many(session, statement, values)}
    return {(v["user_id"], v["fire_at"]): v["id"] for v in values if v["id"] in created}


def _values(owed: Owed, digests: dict[Any, UUID], now: datetime) -> dict[str, Any]:
    user = owed.user
    due = owed.due_date
    return {
        "id": uuid4(),
        "subject": owed.subject,
        "subject_id": owed.subject_id,
        "task_id": owed.task_id,
        "commitment_id": owed.commitment_id,
        "period": owed.period,
        "series": owed.series,
        "due_date": due,
        "kind": owed.point.kind,
        "point_on": owed.point.on,
        "offset_days": (owed.point.on - due).days if due else None,
        "channel": owed.channel,
        "recipient": owed.recipient,
        "user_id": user.id if user else None,
        "webhook_id": owed.webhook.id if owed.webhook else None,
        "address": user.email if user else None,
        "fire_at": owed.fire_at,
        "digest_id": digests.get((user.id, owed.fire_at)) if user else None,
        **_state(now),
    }


def save(session: Session, settings: Settings, pending: Sequence[Pending], now: datetime) -> int:
    """Inserts what is not there yet; returns how many reminders were added."""
    if not pending:
        return 0
    digests = _digests(session, pending, now)
    by_key = {owed.key: (owed, audience) for owed, audience in pending}
    values = {owed.key: _values(owed, digests, now) for owed, _ in by_key.values()}
    statement = (
        _insert(session, Reminder)
        .on_conflict_do_nothing(index_elements=KEY)
        .returning(col(Reminder.id))
    )
    created = {row[0] for row in _many(session, statement, list(values.values()))}
    added = len(created)
    by_webhook = [
        (row["id"], by_key[key])
        for key, row in values.items()
        if row["id"] in created and row["channel"] is Channel.webhook
    ]
    _deliveries(session, settings, by_webhook, now)
    if added:
        queue.touched(session)
    return added


def _deliveries(
    session: Session, settings: Settings, items: list[tuple[UUID, Pending]], now: datetime
) -> None:
    """The webhook deliveries of reminders sent by webhook, in the same transaction."""
    if not items:
        return
    values = []
    for reminder_id, (owed, audience) in items:
        assert owed.webhook is not None
        values.append(
            {
                "id": uuid4(),
                "webhook_id": owed.webhook.id,
                "event_type": owed.event.value,
                "message_id": new_message_id(),
                "payload": payloads.reminder(settings, owed, audience, reminder_id, now),
                "reminder_id": reminder_id,
                **_state(now),
            }
        )
    _many(session, _insert(session, WebhookDelivery), values)
