"""Claims a batch of outbox rows and turns them into messages ready to send.

A reminder whose task closed, moved its due date or silenced its reminders since it was
scheduled is cancelled here instead of sent: completed and cancelled tasks stay quiet.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar
from uuid import UUID

import orjson
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import (
    TASK_OPEN,
    Channel,
    Commitment,
    Plan,
    Reminder,
    ReminderDigest,
    Task,
    User,
    Webhook,
    WebhookDelivery,
)
from app.models.reminder import OPEN_STATUSES
from app.outbox import queue, signing
from app.outbox.hooks import HookJob
from app.reminders import messages
from app.reminders.audience import chunks
from app.reminders.calendar import zone
from app.reminders.mail import compose
from app.reminders.policy import effective

M = TypeVar("M")


@dataclass(frozen=True)
class MailJob:
    message: EmailMessage
    reminder_ids: tuple[UUID, ...]
    digest_id: UUID | None = None


@dataclass
class Context:
    """The tasks, plans and people behind a batch of reminders, read in a few queries."""

    tasks: dict[UUID, Task]
    commitments: dict[UUID, Commitment]
    plans: dict[UUID, Plan]
    users: dict[UUID, User]

    @classmethod
    def load(cls, session: Session, reminders: list[Reminder]) -> "Context":
        tasks = _by_id(session, Task, {r.task_id for r in reminders})
        commitments = _by_id(session, Commitment, {t.commitment_id for t in tasks.values()})
        plans = _by_id(session, Plan, {c.plan_id for c in commitments.values()})
        users = _by_id(session, User, {r.user_id for r in reminders if r.user_id})
        return cls(tasks, commitments, plans, users)

    def plan_of(self, task: Task) -> Plan:
        return self.plans[self.commitments[task.commitment_id].plan_id]

    def why_not(self, reminder: Reminder) -> str | None:
        """Why the reminder should no longer go out, or None."""
        task = self.tasks.get(reminder.task_id)
        if task is None or task.status not in TASK_OPEN:
            return "the task is closed"
        if (task.due_date.isoformat() if task.due_date else "-") != reminder.series:
            return "the due date moved"
        plan = self.plan_of(task)
        if not effective(plan.reminder_policy, task.reminder_policy).enabled:
            return "reminders are off for this task"
        if reminder.user_id is not None and not self.users[reminder.user_id].active:
            return "the recipient is inactive"
        return None

    def item(self, settings: Settings, reminder: Reminder, locale: str) -> messages.Item:
        task = self.tasks[reminder.task_id]
        commitment = self.commitments[task.commitment_id]
        plan = self.plans[commitment.plan_id]
        indonesian = locale == "id"
        plan_zone = zone(plan.time_zone, settings.default_time_zone)
        return messages.Item(
            kind=reminder.kind,
            title=task.title,
            status=task.status.value,
            progress=task.progress,
            due_date=task.due_date,
            activity_on=task.activity_at.astimezone(plan_zone).date(),
            commitment=f"{commitment.code} — "
            + (commitment.title_id if indonesian else commitment.title_en),
            plan=plan.title_id if indonesian else plan.title_en,
            link=settings.task_page_url(task.id),
        )


def _by_id(session: Session, model: type[M], ids: set[UUID]) -> dict[UUID, M]:
    found: dict[UUID, M] = {}
    key: Any = getattr(model, "id")  # noqa: B009 - every model here has an id column
    for part in chunks(sorted(ids, key=str)):
        for row in session.exec(select(model).where(col(key).in_(part))).all():
            found[getattr(row, "id")] = row  # noqa: B009
    return found


def _lease(settings: Settings, now: datetime, worker: str) -> queue.Lease:
    length = timedelta(seconds=settings.reminder_lease_seconds)
    return queue.Lease(now, length, worker, settings.reminder_batch_size)


def _mail(
    settings: Settings, context: Context, user: User, rows: list[Reminder], now: datetime
) -> EmailMessage:
    locale = user.locale.value
    items = [context.item(settings, row, locale) for row in rows]
    plan = context.plan_of(context.tasks[rows[0].task_id])
    today = now.astimezone(zone(user.time_zone, plan.time_zone)).date()
    return compose(
        settings,
        to=user.email,
        name=user.name,
        subject=messages.subject(items, today, locale),
        plain=messages.plain(user.name, items, today, locale),
        html=messages.html(user.name, items, today, locale),
        message_key=rows[0].id if len(rows) == 1 else rows[0].digest_id or rows[0].id,
        at=now,
        locale=locale,
    )


def _keep(context: Context, rows: list[Reminder], now: datetime) -> tuple[list[Reminder], int]:
    """The rows still wanted; the others are cancelled. Returns them and the cancelled count."""
    kept = []
    for row in rows:
        reason = context.why_not(row)
        if reason is None:
            kept.append(row)
        else:
            queue.cancelled(row, now, reason)
    return kept, len(rows) - len(kept)


def claim_mail(
    session: Session, settings: Settings, now: datetime, worker: str
) -> tuple[list[MailJob], int]:
    """E-mails to send now, single reminders and digests; and how many were cancelled."""
    lease = _lease(settings, now, worker)
    single = [col(Reminder.channel) == Channel.email, col(Reminder.digest_id).is_(None)]
    singles = queue.claim(session, Reminder, lease, where=single)
    digests = queue.claim(session, ReminderDigest, lease)
    members = _digest_members(session, [d.id for d in digests])
    context = Context.load(session, singles + [r for rows in members.values() for r in rows])
    kept, cancelled = _keep(context, singles, now)
    jobs = [
        MailJob(_mail(settings, context, context.users[r.user_id], [r], now), (r.id,))
        for r in kept
        if r.user_id
    ]
    for digest in digests:
        job, dropped = _digest_job(settings, context, digest, members.get(digest.id, []), now)
        jobs += [job] if job else []
        cancelled += dropped
    return jobs, cancelled


def _digest_job(
    settings: Settings,
    context: Context,
    digest: ReminderDigest,
    members: list[Reminder],
    now: datetime,
) -> tuple[MailJob | None, int]:
    rows, dropped = _keep(context, members, now)
    if not rows or rows[0].user_id is None:
        queue.cancelled(digest, now, "nothing left to send")
        return None, dropped
    message = _mail(settings, context, context.users[rows[0].user_id], rows, now)
    return MailJob(message, tuple(r.id for r in rows), digest.id), dropped


def _digest_members(session: Session, digest_ids: list[UUID]) -> dict[UUID, list[Reminder]]:
    found: dict[UUID, list[Reminder]] = {}
    for part in chunks(digest_ids):
        statement = select(Reminder).where(
            col(Reminder.digest_id).in_(part), col(Reminder.status).in_(OPEN_STATUSES)
        )
        for row in session.exec(statement.order_by(col(Reminder.fire_at), col(Reminder.id))):
            found.setdefault(row.digest_id, []).append(row)  # type: ignore[arg-type]
    return found


def claim_hooks(
    session: Session, settings: Settings, now: datetime, worker: str
) -> tuple[list[HookJob], int]:
    """Webhook deliveries to send now, to enabled webhooks only; and how many were cancelled."""
    rows = queue.claim(
        session,
        WebhookDelivery,
        _lease(settings, now, worker),
        join=(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id)),
        where=[col(Webhook.active).is_(True)],
    )
    webhooks = _by_id(session, Webhook, {row.webhook_id for row in rows})
    reminders = _by_id(session, Reminder, {r.reminder_id for r in rows if r.reminder_id})
    context = Context.load(session, list(reminders.values()))
    jobs, cancelled = [], 0
    for row in rows:
        reminder = reminders.get(row.reminder_id) if row.reminder_id else None
        reason = context.why_not(reminder) if reminder else None
        if reason is not None and reminder is not None:
            queue.cancelled(row, now, reason)
            queue.cancelled(reminder, now, reason)
            cancelled += 1
            continue
        webhook = webhooks[row.webhook_id]
        body = orjson.dumps(row.payload).decode()
        retired = signing.retired_secret(webhook, now)
        job = HookJob(
            row.id, webhook.id, webhook.url, row.message_id, body, webhook.secret, retired
        )
        jobs.append(job)
    return jobs, cancelled
