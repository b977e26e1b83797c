"""The scheduling half of a reminder pass: what fell due since the last pass, into the outbox.

A pass looks at the window (last pass, now], capped at `reminder_catch_up_days`. It reads only
the tasks whose due date (or last activity) puts a reminder in that window, by index, so its
cost follows the reminders due, not the tasks stored; passes that cross no 09:00 read none.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app import dates
from app.config import Settings
from app.models import TASK_OPEN, Plan, ReminderPass, Task, User, Webhook
from app.models.reminder import TASK_OVERRIDE
from app.reminders import audience as audiences
from app.reminders import policy as policies
from app.reminders import reports, store
from app.reminders.audience import chunks
from app.reminders.planner import Window, World, owed

PASS = "schedule"
# Any zone is within 14 hours of UTC: a day of activity in some zone lies within this margin.
ZONE_MARGIN = timedelta(hours=14)


def insert_ignore(session: Session, model: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def open_window(session: Session, now: datetime, catch_up: timedelta) -> datetime | None:
    """The start of this pass's window, or None when a pass has already looked up to now.

    The pass row stays locked until the transaction ends: concurrent passes wait for this one
    and then find nothing left to schedule, so they never insert the same rows at once.
    """
    session.exec(
        insert_ignore(session, ReminderPass)
        .values(name=PASS, scheduled_until=now - catch_up)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    row = session.exec(
        select(ReminderPass).where(col(ReminderPass.name) == PASS).with_for_update()
    ).one()
    since = max(row.scheduled_until, now - catch_up)
    if since >= now:
        return None
    row.scheduled_until = now
    session.add(row)
    return since


def load_world(session: Session, settings: Settings) -> tuple[World, set[policies.Policy]]:
    user_zones = session.exec(select(col(User.time_zone)).distinct()).all()
    plans = session.exec(select(Plan.time_zone, Plan.holiday_country, Plan.reminder_policy)).all()
    world = World(
        default_zone=settings.default_time_zone,
        categories=tuple(c.strip() for c in settings.reminder_holiday_categories.split(",")),
        zones=frozenset({settings.default_time_zone, *(z for z in user_zones if z)})
        | {p[0] for p in plans if p[0]},
        countries=frozenset({"ID", *((p[1] or "ID").upper() for p in plans)}),
        webhooks=tuple(session.exec(select(Webhook).where(col(Webhook.active))).all()),
    )
    found = {policies.DEFAULT} | {policies.apply(policies.DEFAULT, p[2]) for p in plans}
    return world, found


def candidates(session: Session, policy_set: set[policies.Policy], days: set[date]) -> list[Task]:
    """Open tasks that may owe a reminder on `days`: by due date, by last activity (stale
    nudges) and those with a policy of their own; each lookup uses an index."""
    found: dict[Any, Task] = {}
    open_task = col(Task.status).in_(sorted(TASK_OPEN))
    earliest_due = session.exec(select(func.min(Task.due_date))).one()
    if earliest_due is not None:
        # A task due in year 2 (written around the API) would have the pass look back over
        # two thousand years of due dates; it is met by the check in `run` if at all.
        earliest_due = max(earliest_due, dates.EARLIEST)
        due_dates = sorted(policies.due_dates_to_check(policy_set, days, earliest_due))
        for part in chunks(due_dates):
            _collect(session, found, [open_task, col(Task.due_date).in_(part)])
    earliest_activity = session.exec(select(func.min(Task.activity_at))).one()
    if earliest_activity is not None:
        start = earliest_activity.date() - timedelta(days=1)
        active = sorted(policies.activity_days_to_check(policy_set, days, start))
        for ranges in chunks(_instant_ranges(active), 100):
            _collect(session, found, [open_task, or_(*ranges)])
    _collect(session, found, [open_task, text(TASK_OVERRIDE)])
    return list(found.values())


def _collect(session: Session, found: dict[Any, Task], where: Sequence[Any]) -> None:
    for task in session.exec(select(Task).where(*where)).all():
        found[task.id] = task


def _instant_ranges(days: list[date]) -> list[Any]:
    """Conditions on activity_at covering each day in any zone, adjacent days merged."""
    spans: list[list[date]] = []
    for day in days:
        if spans and (day - spans[-1][1]).days <= 1:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    column = col(Task.activity_at)
    conditions = []
    for first, last in spans:
        start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - ZONE_MARGIN
        end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + ZONE_MARGIN
        conditions.append(and_(column >= start, column < end + timedelta(days=1)))
    return conditions


def run(session: Session, settings: Settings, now: datetime) -> int:
    """Schedules what fell due in the window; returns the number of reminders added."""
    since = open_window(session, now, timedelta(days=settings.reminder_catch_up_days))
    if since is None:
        return 0
    world, policy_set = load_world(session, settings)
    days = world.point_days(since, now)
    if not days:
        return 0
    tasks = candidates(session, policy_set, days)
    window = Window(since=since, now=now, first=min(days), last=max(days))
    pending: list[store.Pending] = []
    for audience in audiences.load(session, tasks):
        if dates.in_range(audience.task.due_date):
            pending += [(item, audience) for item in owed(audience, world, window)]
        else:  # its points overflow or lie millennia away: one bad row stops no pass
            dates.bad_row("reminders", audience.task.id, due_date=audience.task.due_date)
    pending += reports.pending(session, settings, world, window)
    return store.save(session, settings, pending, now)
