"""What one task owes its audience in a scheduling window. Pure: the rows are read already."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from app.models import TASK_OPEN, Channel, ReminderKind, User, Webhook, WebhookEvent
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
    task_id: UUID
    series: str
    due_date: date | None
    point: Point
    channel: Channel
    recipient: str
    fire_at: datetime
    user: User | None = None
    webhook: Webhook | None = None

    @property
    def key(self) -> tuple[UUID, str, ReminderKind, date, str, Channel]:
        return (
            self.task_id,
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
    groups = [(reminders, audience.people), (escalations, audience.coordinators)]
    found: list[Owed] = []
    for points, recipients in groups:
        if points:
            found += _series(audience, world, window, points, recipients, plan_zone)
    return found


def _series(
    audience: Audience,
    world: World,
    window: Window,
    points: list[Point],
    people: list[User],
    plan_zone: ZoneInfo,
) -> list[Owed]:
    calendar = world.calendar(audience.plan.holiday_country)
    found: list[Owed] = []
    for user in people:
        where = zone(user.time_zone, audience.plan.time_zone or world.default_zone)
        hit = _latest(points, calendar, where, audience, window)
        if hit is not None:
            found.append(_owed(audience, hit, Channel.email, str(user.id), user=user))
    for webhook in world.webhooks:
        wanted = [p for p in points if EVENT[p.kind].value in webhook.events]
        hit = _latest(wanted, calendar, plan_zone, audience, window)
        if hit is not None:
            found.append(_owed(audience, hit, Channel.webhook, str(webhook.id), webhook=webhook))
    return found


def _latest(
    points: list[Point],
    calendar: WorkingCalendar,
    where: ZoneInfo,
    audience: Audience,
    window: Window,
) -> tuple[datetime, Point] | None:
    """A point counts when it falls in the window and after the task existed: a task created
    yesterday never missed last week's reminder."""
    created = audience.task.created_at
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
    audience: Audience,
    hit: tuple[datetime, Point],
    channel: Channel,
    recipient: str,
    *,
    user: User | None = None,
    webhook: Webhook | None = None,
) -> Owed:
    due = audience.task.due_date
    return Owed(
        task_id=audience.task.id,
        series=due.isoformat() if due else "-",
        due_date=due,
        point=hit[1],
        channel=channel,
        recipient=recipient,
        fire_at=hit[0],
        user=user,
        webhook=webhook,
    )
