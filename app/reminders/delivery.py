"""The delivery half of a reminder pass: claim a batch, send it, record each outcome at once.

Each outcome is committed right after its send, so a worker killed mid-batch has recorded
everything it sent but the one in flight; the rest of its batch comes back when the lease ends.
"""

import logging
import smtplib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Event
from uuid import UUID

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import audit
from app.config import Settings
from app.db import unit_of_work
from app.models import DeliveryStatus, Reminder, ReminderDigest, Webhook, WebhookDelivery
from app.ops.metrics import REMINDERS, WEBHOOK_DELIVERIES
from app.reminders import jobs, outbox
from app.reminders.jobs import HookJob, MailJob
from app.reminders.mail import Mailer
from app.webhooks.sender import Outcome, WebhookSender

logger = logging.getLogger("pantau.reminders")


def _retry(settings: Settings, attempts: int) -> timedelta:
    return outbox.backoff(attempts, settings.retry_base_seconds, settings.retry_max_seconds)


def _count(tally: Counter[str], status: DeliveryStatus, n: int = 1) -> None:
    outcome = {DeliveryStatus.sent: "sent", DeliveryStatus.dead: "dead"}.get(status, "failed")
    tally[outcome] += n
    REMINDERS.labels(outcome).inc(n)


def record_mail(
    engine: Engine, settings: Settings, job: MailJob, error: str | None, now: datetime
) -> DeliveryStatus:
    with unit_of_work(engine) as session:
        rows: list[Reminder | ReminderDigest] = list(
            session.exec(select(Reminder).where(col(Reminder.id).in_(job.reminder_ids))).all()
        )
        if job.digest_id is not None:
            digest = session.get(ReminderDigest, job.digest_id)
            rows += [digest] if digest else []
        for row in rows:
            if error is None:
                outbox.succeeded(row, now)
            else:
                retry = _retry(settings, row.attempts + 1)
                outbox.failed(row, now, error, max_attempts=settings.mail_max_attempts, retry=retry)
            session.add(row)
        return rows[0].status if rows else DeliveryStatus.cancelled


def send_mail(
    engine: Engine, settings: Settings, batch: list[MailJob], now: datetime, tally: Counter[str]
) -> None:
    left = list(batch)
    try:
        with Mailer(settings) as mailer:
            while left:
                job = left[0]
                error = None
                try:
                    mailer.send(job.message)
                except (smtplib.SMTPException, OSError) as failure:
                    error = f"{type(failure).__name__}: {failure}"
                left.pop(0)
                status = record_mail(engine, settings, job, error, now)
                _count(tally, status, len(job.reminder_ids))
    except (smtplib.SMTPException, OSError) as failure:
        logger.warning("SMTP unavailable: %s", failure)
        for job in left:
            status = record_mail(engine, settings, job, f"{type(failure).__name__}: {failure}", now)
            _count(tally, status, len(job.reminder_ids))


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
            outbox.succeeded(row, now)
            webhook.consecutive_failures = 0
        else:
            retry = _retry(settings, row.attempts + 1)
            error = outcome.error or "failed"
            outbox.failed(row, now, error, max_attempts=settings.webhook_max_attempts, retry=retry)
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
        _count(tally, recorded.status)
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


def claim(
    engine: Engine, settings: Settings, now: datetime, worker: str, tally: Counter[str]
) -> tuple[list[MailJob], list[HookJob]]:
    with unit_of_work(engine) as session:
        mail, dropped_mail = jobs.claim_mail(session, settings, now, worker)
        hooks, dropped_hooks = jobs.claim_hooks(session, settings, now, worker)
        if dropped_mail or dropped_hooks:
            outbox.touched(session)
    tally["cancelled"] += dropped_mail + dropped_hooks
    if dropped_mail + dropped_hooks:
        REMINDERS.labels("cancelled").inc(dropped_mail + dropped_hooks)
    return mail, hooks


def deliver(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    worker: str,
    sender: WebhookSender,
    stop: Event | None = None,
) -> Counter[str]:
    """Sends everything due at `now`, batch after batch, until nothing is left to claim or
    `stop` is set (a worker asked to stop finishes its batch and claims no more)."""
    tally: Counter[str] = Counter()
    while stop is None or not stop.is_set():
        mail, hooks = claim(engine, settings, now, worker, tally)
        if not mail and not hooks:
            break
        try:
            send_mail(engine, settings, mail, now, tally)
            send_hooks(engine, settings, hooks, now, sender, tally)
        finally:
            # Once per batch, not per message: collection ETags of reminders and deliveries
            # lag the batch by its few seconds at most.
            with unit_of_work(engine) as session:
                outbox.touched(session)
    return tally
