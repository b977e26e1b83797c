"""Counts read from the database for /metrics: the state of the whole deployment's outbox,
whichever process (API replica or worker) moved it."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Channel, DeliveryStatus, Reminder, WebhookDelivery


def reminder_counts(session: Session) -> dict[tuple[Channel, DeliveryStatus], int]:
    """Reminders by channel and status. Grouped in the order of `ix_reminder_claim`
    (channel, status, …), so the database can count from that index alone."""
    channel, status = col(Reminder.channel), col(Reminder.status)
    statement = select(channel, status, func.count()).group_by(channel, status)
    return {(row[0], row[1]): row[2] for row in session.exec(statement)}


def delivery_counts(session: Session) -> dict[DeliveryStatus, int]:
    """Webhook deliveries by status, counted from `ix_webhook_delivery_claim` (status, …)."""
    status = col(WebhookDelivery.status)
    statement = select(status, func.count()).group_by(status)
    return {row[0]: row[1] for row in session.exec(statement)}
