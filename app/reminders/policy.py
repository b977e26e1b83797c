"""When a task's reminders fall due: the policy, its overrides and the days it names. Pure."""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool, ValidationError

from app.fields import Bounded, WholeNumber
from app.models import ReminderKind

logger = logging.getLogger("pantau.reminders")

Days = Annotated[WholeNumber, Field(ge=1, le=366), Bounded()]
Every = Annotated[WholeNumber, Field(ge=0, le=366), Bounded()]


class PolicyOverride(BaseModel):
    """A plan's or a task's `reminder_policy`: every key optional; 0 switches a repeat off."""

    model_config = ConfigDict(extra="forbid")

    enabled: StrictBool | None = None
    before_days: list[Days] | None = Field(default=None, max_length=12)
    on_due_date: StrictBool | None = None
    overdue_every_days: Every | None = None
    escalate_after_days: Every | None = None
    check_in_days: Every | None = None


def _compact(override: PolicyOverride) -> dict[str, Any]:
    return override.model_dump(exclude_none=True)


# The type of `reminder_policy` in the plans' and tasks' request bodies: validated on the way
# in, stored and shown as the plain object of the keys that were set.
ReminderPolicy = Annotated[PolicyOverride, PlainSerializer(_compact, return_type=dict[str, Any])]


@dataclass(frozen=True)
class Policy:
    """DESIGN.md's defaults: 14, 7 and 1 days before, on the day, weekly while overdue,
    coordinators after 14 days overdue, a nudge after 30 days without an update."""

    enabled: bool = True
    before_days: tuple[int, ...] = (14, 7, 1)
    on_due_date: bool = True
    overdue_every_days: int = 7
    escalate_after_days: int = 14
    check_in_days: int = 30


DEFAULT = Policy()


@dataclass(frozen=True, order=True)
class Point:
    """A day the policy names for a reminder (before any weekend or holiday shift)."""

    on: date
    kind: ReminderKind


def apply(policy: Policy, override: Mapping[str, Any] | None) -> Policy:
    """The policy with the override's keys replaced; an invalid override is ignored, loudly."""
    if not override:
        return policy
    try:
        parsed = PolicyOverride.model_validate(override)
    except ValidationError as error:
        logger.warning("ignoring an invalid reminder policy", extra={"errors": error.errors()})
        return policy
    fields = parsed.model_dump(exclude_none=True)
    if "before_days" in fields:
        fields["before_days"] = tuple(sorted(set(fields["before_days"]), reverse=True))
    return replace(policy, **fields)


def effective(
    plan_override: Mapping[str, Any] | None, task_override: Mapping[str, Any] | None
) -> Policy:
    """Defaults, then the plan's override, then the task's: the nearest one wins, key by key."""
    return apply(apply(DEFAULT, plan_override), task_override)


def _repeats(start: date, every: int, first: date, last: date) -> Iterable[date]:
    """start + k*every (k >= 1) within [first, last]."""
    if every <= 0:
        return []
    k = max(1, -(-(first - start).days // every))
    days = []
    while (day := start + timedelta(days=k * every)) <= last:
        days.append(day)
        k += 1
    return days


def due_points(policy: Policy, due: date, first: date, last: date) -> list[Point]:
    """Before, on and after the due date, with their days in [first, last]."""
    points = [Point(due - timedelta(days=n), ReminderKind.before) for n in policy.before_days]
    if policy.on_due_date:
        points.append(Point(due, ReminderKind.due))
    if policy.overdue_every_days > 0:
        overdue = _repeats(due, policy.overdue_every_days, first, last)
        points += [Point(day, ReminderKind.overdue) for day in overdue]
    return sorted(p for p in points if first <= p.on <= last)


def escalation_points(
    policy: Policy, due: date, activity_on: date, first: date, last: date
) -> list[Point]:
    """From `escalate_after_days` overdue, with the overdue cadence, while the task has had no
    status change or progress update for as long: activity resets the escalation clock."""
    after = policy.escalate_after_days
    if after <= 0:
        return []
    start = due + timedelta(days=after)
    days = [start] if first <= start <= last else []
    every = policy.overdue_every_days
    if every > 0:
        days += [day for day in _repeats(due, every, first, last) if day > start]
    quiet_since = activity_on + timedelta(days=after)
    return [Point(day, ReminderKind.escalation) for day in days if day >= quiet_since]


def stale_points(policy: Policy, activity_on: date, first: date, last: date) -> list[Point]:
    """Every check-in period without an update, counted from the last update."""
    if policy.check_in_days <= 0:
        return []
    days = _repeats(activity_on, policy.check_in_days, first, last)
    return [Point(day, ReminderKind.stale) for day in days]


def due_dates_to_check(
    policies: Iterable[Policy], days: Iterable[date], earliest: date
) -> set[date]:
    """The due dates whose before, due, overdue or escalation points can fall on `days`:
    the reminder pass reads only tasks due on these, by index."""
    days = sorted(set(days))
    found: set[date] = set()
    for policy in set(policies):
        offsets = [*policy.before_days, 0] if policy.on_due_date else list(policy.before_days)
        found |= {day + timedelta(days=n) for day in days for n in offsets}
        found |= {day - timedelta(days=policy.escalate_after_days) for day in days}
        found |= _back_repeats(days, policy.overdue_every_days, earliest)
    return found


def activity_days_to_check(
    policies: Iterable[Policy], days: Iterable[date], earliest: date
) -> set[date]:
    """The days of last activity whose stale nudges can fall on `days`."""
    found: set[date] = set()
    for every in {policy.check_in_days for policy in policies}:
        found |= _back_repeats(sorted(set(days)), every, earliest)
    return found


def _back_repeats(days: list[date], every: int, earliest: date) -> set[date]:
    """day - k*every for k >= 1, back to `earliest`."""
    if every <= 0 or not days:
        return set()
    found: set[date] = set()
    for day in days:
        k = 1
        while (start := day - timedelta(days=k * every)) >= earliest:
            found.add(start)
            k += 1
    return found
