"""Sending webhook deliveries and recording each outcome at once: the webhook half of a
delivery pass (app.reminders.delivery runs both halves). Each outcome is committed right after
its send, so a worker killed mid-batch has recorded everything it sent but the one in flight."""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Engine
from sqlmodel import Session

from app import audit
from app.config import Settings
from app.db import unit_of_work
from app.models import DeliveryStatus, Reminder, Webhook, WebhookDelivery
from app.ops.metrics import REMINDERS, WEBHOOK_DELIVERIES
from app.outbox import queue
from app.outbox.sender import Outcome, WebhookSender

logger = logging.getLogger("pantau.reminders")


@dataclass(frozen=True)
class HookJob:
    delivery_id: UUID
    webhook_id: UUID
    url: str
    message_id: str
    body: str
    secret: str = field(repr=False)  # never in a log line
    retired_secret: str | None = field(default=None, repr=False)  # signs too, during an overlap


def retry_after(settings: Settings, attempts: int) -> timedelta:
    return queue.backoff(attempts, settings.retry_base_seconds, settings.retry_max_seconds)


def count_reminders(tally: Counter[str], status: DeliveryStatus, n: int = 1) -> None:
    outcome = {DeliveryStatus.sent: "sent", DeliveryStatus.dead: "dead"}.get(status, "failed")
    tally[outcome] += n
    REMINDERS.labels(outcome).inc(n)


def _disable(session: Session, webhook: Webhook, now: datetime) -> None:
    """Auto-disables a webhook after repeated failure, with a history entry saying why."""
    webhook.active = False
    webhook.disabled_at = now
    webhook.disabled_reason = f"{webhook.consecutive_failures} consecutive failed attempts"
    audit.bump(webhook, now=now)
    audit.record(
        session,
        entity="webhook",
        entity_id=webhook.id,
        action="disabled",
        version=webhook.version,
        data=None,
        actor_id=None,
        now=now,
        changed={"active": (True, False)},
        note=webhook.disabled_reason,
    )
    logger.warning("webhook disabled", extra={"webhook_id": str(webhook.id)})


def _mirror(session: Session, row: WebhookDelivery) -> None:
    """A reminder sent by webhook shares its delivery's state."""
    reminder = session.get(Reminder, row.reminder_id) if row.reminder_id else None
    if reminder is None:
        return
    reminder.status, reminder.attempts = row.status, row.attempts
    reminder.sent_at, reminder.last_error = row.sent_at, row.last_error
    reminder.next_attempt_at, reminder.updated_at = row.next_attempt_at, row.updated_at
    session.add(reminder)


@dataclass(frozen=True)
class Recorded:
    status: DeliveryStatus
    for_reminder: bool
    webhook_active: bool


def record_hook(
    engine: Engine, settings: Settings, job: HookJob, outcome: Outcome, now: datetime
) -> Recorded | None:
    """Records an attempt; None when the webhook was deleted meanwhile."""
    with unit_of_work(engine) as session:
        row = session.get(WebhookDelivery, job.delivery_id)
        webhook = session.get(Webhook, row.webhook_id) if row else None
        if row is None or webhook is None:
            return None
        row.last_attempt_at, row.last_status_code = now, outcome.status_code
        if outcome.ok:
            queue.succeeded(row, now)
            webhook.consecutive_failures = 0
        else:
            retry = retry_after(settings, row.attempts + 1)
            error = outcome.error or "failed"
            queue.failed(row, now, error, max_attempts=settings.webhook_max_attempts, retry=retry)
            webhook.consecutive_failures += 1
            if (
                webhook.active
                and webhook.consecutive_failures >= settings.webhook_disable_after_failures
            ):
                _disable(session, webhook, now)
        session.add_all([row, webhook])
        _mirror(session, row)
        return Recorded(row.status, row.reminder_id is not None, webhook.active)


def release(engine: Engine, job: HookJob) -> None:
    """Gives a claimed delivery back untried: its webhook was disabled mid-batch."""
    with unit_of_work(engine) as session:
        row = session.get(WebhookDelivery, job.delivery_id)
        if row is not None:
            row.claimed_until = row.claimed_by = None
            session.add(row)


def _tally_hook(tally: Counter[str], recorded: Recorded) -> None:
    if recorded.for_reminder:
        count_reminders(tally, recorded.status)
    names = {DeliveryStatus.sent: "delivered", DeliveryStatus.dead: "dead"}
    label = names.get(recorded.status, "failed")
    tally[f"webhook_{label}"] += 1
    WEBHOOK_DELIVERIES.labels(label).inc()


def send_hooks(
    engine: Engine,
    settings: Settings,
    batch: list[HookJob],
    now: datetime,
    sender: WebhookSender,
    tally: Counter[str],
) -> None:
    disabled: set[UUID] = set()
    for job in batch:
        if job.webhook_id in disabled:
            release(engine, job)
            continue
        outcome = sender.send(
            url=job.url,
            secret=job.secret,
            retired_secret=job.retired_secret,
            message_id=job.message_id,
            body=job.body,
            at=now,
        )
        recorded = record_hook(engine, settings, job, outcome, now)
        if recorded is None:
            continue
        _tally_hook(tally, recorded)
        if not recorded.webhook_active:
            disabled.add(job.webhook_id)
