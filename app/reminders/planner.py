"""What one task owes its audience in a scheduling window. Pure: the rows are read already."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from app.models import (
    TASK_OPEN,
    Channel,
    Plan,
    ReminderKind,
    ReminderSubject,
    User,
    Webhook,
    WebhookEvent,
)
from app.reminders.audience import Audience
from app.reminders.calendar import WorkingCalendar, send_days, zone
from app.reminders.policy import Point, due_points, effective, escalation_points, stale_points

EVENT = {
    ReminderKind.before: WebhookEvent.task_reminder,
    ReminderKind.due: WebhookEvent.task_reminder,
    ReminderKind.stale: WebhookEvent.task_reminder,
    ReminderKind.overdue: WebhookEvent.task_overdue,
    ReminderKind.escalation: WebhookEvent.task_escalated,
}
REPORT_EVENT = {
    ReminderKind.before: WebhookEvent.report_reminder,
    ReminderKind.due: WebhookEvent.report_reminder,
    ReminderKind.overdue: WebhookEvent.report_overdue,
    ReminderKind.escalation: WebhookEvent.report_escalated,
}


def event_of(subject: ReminderSubject, kind: ReminderKind) -> WebhookEvent:
    """The webhook event a reminder is delivered as."""
    return (REPORT_EVENT if subject is ReminderSubject.report else EVENT)[kind]


@dataclass(frozen=True)
class World:
    """What every task of a pass shares: zones and calendars in use, webhooks listening."""

    default_zone: str
    categories: tuple[str, ...]
    zones: frozenset[str]
    countries: frozenset[str]
    webhooks: tuple[Webhook, ...]

    def calendar(self, country: str | None) -> WorkingCalendar:
        return WorkingCalendar((country or "ID").upper(), self.categories)

    def point_days(self, since: datetime, now: datetime) -> set[date]:
        """Every policy day whose reminder can go out in (since, now], in any zone and
        calendar in use: the days themselves and the days off that shift onto them."""
        days: set[date] = set()
        for name in self.zones:
            for day in send_days(since, now, zone(name, self.default_zone)):
                for country in self.countries:
                    days.update(self.calendar(country).days_sent_on(day))
        return days


@dataclass(frozen=True)
class Owed:
    subject_id: UUID  # the task's id, or the commitment's for a report
    series: str
    due_date: date | None
    point: Point
    channel: Channel
    recipient: str
    fire_at: datetime
    user: User | None = None
    webhook: Webhook | None = None
    subject: ReminderSubject = ReminderSubject.task
    period: str | None = None

    @property
    def task_id(self) -> UUID | None:
        return self.subject_id if self.subject is ReminderSubject.task else None

    @property
    def commitment_id(self) -> UUID | None:
        return self.subject_id if self.subject is ReminderSubject.report else None

    @property
    def event(self) -> WebhookEvent:
        return event_of(self.subject, self.point.kind)

    @property
    def key(self) -> tuple[ReminderSubject, UUID, str, ReminderKind, date, str, Channel]:
        return (
            self.subject,
            self.subject_id,
            self.series,
            self.point.kind,
            self.point.on,
            self.recipient,
            self.channel,
        )


@dataclass(frozen=True)
class Window:
    since: datetime
    now: datetime
    first: date
    last: date


@dataclass(frozen=True)
class Subject:
    """What a series of reminders is about: a task's deadline or a commitment's report."""

    kind: ReminderSubject
    id: UUID
    series: str
    due_date: date | None
    plan: Plan
    created_at: datetime  # no reminder falls before the subject existed
    period: str | None = None


def owed(audience: Audience, world: World, window: Window) -> list[Owed]:
    """The latest reminder that falls in the window, per recipient and channel: after downtime
    the one most recently missed goes out, never the backlog."""
    task, plan = audience.task, audience.plan
    policy = effective(plan.reminder_policy, task.reminder_policy)
    if not policy.enabled or task.status not in TASK_OPEN:
        return []
    plan_zone = zone(plan.time_zone, world.default_zone)
    activity_on = task.activity_at.astimezone(plan_zone).date()
    first, last = window.first, window.last
    # One series per audience: the people hear the latest of their reminders and nudges, the
    # coordinators the latest escalation.
    reminders = stale_points(policy, activity_on, first, last)
    escalations: list[Point] = []
    if task.due_date is not None:
        reminders += due_points(policy, task.due_date, first, last)
        escalations = escalation_points(policy, task.due_date, activity_on, first, last)
    due = task.due_date
    subject = Subject(
        ReminderSubject.task,
        task.id,
        due.isoformat() if due else "-",
        due,
        plan,
        task.created_at,
    )
    return series(
        subject, world, window, [(reminders, audience.people), (escalations, audience.coordinators)]
    )


def series(
    subject: Subject,
    world: World,
    window: Window,
    groups: list[tuple[list[Point], list[User]]],
) -> list[Owed]:
    """Per group of points and their audience, each recipient's latest point in the window."""
    found: list[Owed] = []
    for points, recipients in groups:
        if points:
            found += _series(subject, world, window, points, recipients)
    return found


def _series(
    subject: Subject,
    world: World,
    window: Window,
    points: list[Point],
    people: list[User],
) -> list[Owed]:
    plan = subject.plan
    plan_zone = zone(plan.time_zone, world.default_zone)
    calendar = world.calendar(plan.holiday_country)
    found: list[Owed] = []
    for user in people:
        where = zone(user.time_zone, plan.time_zone or world.default_zone)
        hit = _latest(points, calendar, where, subject, window)
        if hit is not None:
            found.append(_owed(subject, hit, Channel.email, str(user.id), user=user))
    for webhook in world.webhooks:
        wanted = [p for p in points if event_of(subject.kind, p.kind).value in webhook.events]
        hit = _latest(wanted, calendar, plan_zone, subject, window)
        if hit is not None:
            found.append(_owed(subject, hit, Channel.webhook, str(webhook.id), webhook=webhook))
    return found


def _latest(
    points: list[Point],
    calendar: WorkingCalendar,
    where: ZoneInfo,
    subject: Subject,
    window: Window,
) -> tuple[datetime, Point] | None:
    """A point counts when it falls in the window and after the subject existed: a task created
    yesterday never missed last week's reminder."""
    created = subject.created_at
    fired = [(calendar.fire_at(p.on, where), p) for p in points]
    due = [(at, p) for at, p in fired if window.since < at <= window.now and at >= created]
    # A deadline reminder says more than a stale nudge (it shows status and progress too), so
    # it wins when both fall in the window; otherwise the latest wins.
    return max(
        due,
        key=lambda hit: (hit[1].kind is not ReminderKind.stale, hit[0], hit[1].on),
        default=None,
    )


def _owed(
    subject: Subject,
    hit: tuple[datetime, Point],
    channel: Channel,
    recipient: str,
    *,
    user: User | None = None,
    webhook: Webhook | None = None,
) -> Owed:
    return Owed(
        subject_id=subject.id,
        series=subject.series,
        due_date=subject.due_date,
        point=hit[1],
        channel=channel,
        recipient=recipient,
        fire_at=hit[0],
        user=user,
        webhook=webhook,
        subject=subject.kind,
        period=subject.period,
    )
