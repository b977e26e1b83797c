"""Claims a batch of outbox rows and turns them into messages ready to send.

A reminder whose task closed, moved its due date or silenced its reminders since it was
scheduled is cancelled here instead of sent: completed and cancelled tasks stay quiet. So is a
report's once the report is submitted or accepted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar
from uuid import UUID

import orjson
from sqlmodel import Session, col, select

from app import periods
from app.config import Settings
from app.models import (
    TASK_OPEN,
    Channel,
    Commitment,
    Plan,
    Reminder,
    ReminderDigest,
    ReminderSubject,
    Report,
    Task,
    User,
    Webhook,
    WebhookDelivery,
)
from app.models.reminder import OPEN_STATUSES
from app.outbox import queue, signing
from app.outbox.hooks import HookJob
from app.periods import Period
from app.reminders import messages
from app.reminders import reports as report_reminders
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
    """The tasks, reports, plans and people behind a batch of reminders, read in a few queries."""

    tasks: dict[UUID, Task]
    commitments: dict[UUID, Commitment]
    plans: dict[UUID, Plan]
    users: dict[UUID, User]
    reports: dict[tuple[UUID, str], Report]
    settings: Settings

    @classmethod
    def load(cls, session: Session, settings: Settings, reminders: list[Reminder]) -> "Context":
        tasks = _by_id(session, Task, {r.task_id for r in reminders if r.task_id})
        wanted = {t.commitment_id for t in tasks.values()}
        wanted |= {r.commitment_id for r in reminders if r.commitment_id}
        commitments = _by_id(session, Commitment, wanted)
        plans = _by_id(session, Plan, {c.plan_id for c in commitments.values()})
        users = _by_id(session, User, {r.user_id for r in reminders if r.user_id})
        reports = _reports(session, [r for r in reminders if r.commitment_id])
        return cls(tasks, commitments, plans, users, reports, settings)

    def plan_for(self, reminder: Reminder) -> Plan:
        if reminder.commitment_id is not None:
            return self.plans[self.commitments[reminder.commitment_id].plan_id]
        return self.plan_of(self.tasks[reminder.task_id])  # type: ignore[index]

    def plan_of(self, task: Task) -> Plan:
        return self.plans[self.commitments[task.commitment_id].plan_id]

    def why_not(self, reminder: Reminder) -> str | None:
        """Why the reminder should no longer go out, or None."""
        if reminder.subject is ReminderSubject.report:
            reason = self._report_why_not(reminder)
        else:
            reason = self._task_why_not(reminder)
        user = self.users.get(reminder.user_id) if reminder.user_id else None
        if reason is None and user is not None and not user.active:
            return "the recipient is inactive"
        return reason

    def _task_why_not(self, reminder: Reminder) -> str | None:
        task = self.tasks.get(reminder.task_id) if reminder.task_id else None
        if task is None or task.status not in TASK_OPEN:
            return "the task is closed"
        if (task.due_date.isoformat() if task.due_date else "-") != reminder.series:
            return "the due date moved"
        plan = self.plan_of(task)
        if not effective(plan.reminder_policy, task.reminder_policy).enabled:
            return "reminders are off for this task"
        return None

    def _report_why_not(self, reminder: Reminder) -> str | None:
        commitment = (
            self.commitments.get(reminder.commitment_id) if reminder.commitment_id else None
        )
        if commitment is None or reminder.period is None:
            return "the commitment is gone"
        report = self.reports.get((commitment.id, reminder.period))
        if report is not None and report.state in report_reminders.QUIET:
            return f"the report is {report.state.value}"
        plan = self.plans[commitment.plan_id]
        if not effective(plan.reminder_policy, None).enabled:
            return "reminders are off for this plan"
        period = self.period(plan, reminder.period)
        if period is None or period.due != reminder.due_date:
            return "the report's due date moved"
        return None

    def period(self, plan: Plan, ident: str) -> Period | None:
        found = periods.of_plan(plan, self.settings)
        return next((period for period in found if period.id == ident), None)

    def item(self, settings: Settings, reminder: Reminder, locale: str) -> messages.Item:
        if reminder.subject is ReminderSubject.report:
            return self._report_item(settings, reminder, locale)
        task = self.tasks[reminder.task_id]  # type: ignore[index]
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

    def _report_item(self, settings: Settings, reminder: Reminder, locale: str) -> messages.Item:
        commitment = self.commitments[reminder.commitment_id]  # type: ignore[index]
        plan = self.plans[commitment.plan_id]
        period = reminder.period or ""
        report = self.reports.get((commitment.id, period))
        indonesian = locale == "id"
        return messages.Item(
            kind=reminder.kind,
            title=messages.report_title(period, commitment.code, locale),
            status=report.state.value if report else messages.NOT_FILED,
            progress=0,
            due_date=reminder.due_date,
            activity_on=reminder.due_date or reminder.point_on,
            commitment=f"{commitment.code} — "
            + (commitment.title_id if indonesian else commitment.title_en),
            plan=plan.title_id if indonesian else plan.title_en,
            link=settings.report_page_url(commitment.code, period),
            subject=ReminderSubject.report,
            period=period,
        )


def _reports(session: Session, reminders: list[Reminder]) -> dict[tuple[UUID, str], Report]:
    """The reports filed for the reminders' (commitment, period), whatever their state."""
    found: dict[tuple[UUID, str], Report] = {}
    commitment_ids = sorted({r.commitment_id for r in reminders if r.commitment_id}, key=str)
    period_ids = sorted({r.period for r in reminders if r.period})
    for part in chunks(commitment_ids):
        statement = select(Report).where(
            col(Report.commitment_id).in_(part), col(Report.period).in_(period_ids)
        )
        for report in session.exec(statement).all():
            found[(report.commitment_id, report.period)] = report
    return found


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
    plan = context.plan_for(rows[0])
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
    context = Context.load(
        session, settings, singles + [r for rows in members.values() for r in rows]
    )
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
    context = Context.load(session, settings, list(reminders.values()))
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
