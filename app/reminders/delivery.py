"""The delivery half of a reminder pass: claim a batch, send it, record each outcome at once.

Each outcome is committed right after its send, so a worker killed mid-batch has recorded
everything it sent but the one in flight; the rest of its batch comes back when the lease ends.
"""

import logging
import smtplib
from collections import Counter
from datetime import datetime
from threading import Event

from sqlalchemy import Engine
from sqlmodel import col, select

from app.config import Settings
from app.db import unit_of_work
from app.models import DeliveryStatus, Reminder, ReminderDigest
from app.ops.metrics import REMINDERS
from app.outbox import queue
from app.outbox.hooks import HookJob, count_reminders, retry_after, send_hooks
from app.outbox.sender import WebhookSender
from app.reminders import jobs
from app.reminders.jobs import MailJob
from app.reminders.mail import Mailer

logger = logging.getLogger("pantau.reminders")


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
                queue.succeeded(row, now)
            else:
                retry = retry_after(settings, row.attempts + 1)
                queue.failed(row, now, error, max_attempts=settings.mail_max_attempts, retry=retry)
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
                count_reminders(tally, status, len(job.reminder_ids))
    except (smtplib.SMTPException, OSError) as failure:
        logger.warning("SMTP unavailable: %s", failure)
        for job in left:
            status = record_mail(engine, settings, job, f"{type(failure).__name__}: {failure}", now)
            count_reminders(tally, status, len(job.reminder_ids))


def claim(
    engine: Engine, settings: Settings, now: datetime, worker: str, tally: Counter[str]
) -> tuple[list[MailJob], list[HookJob]]:
    with unit_of_work(engine) as session:
        mail, dropped_mail = jobs.claim_mail(session, settings, now, worker)
        hooks, dropped_hooks = jobs.claim_hooks(session, settings, now, worker)
        if dropped_mail or dropped_hooks:
            queue.touched(session)
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
                queue.touched(session)
    return tally
