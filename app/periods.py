"""A plan's reporting periods, derived from its dates and its policy: nothing is stored.

Periods are calendar quarters, semesters (S1 January-June, S2 July-December) or years; their ids
are `2026-Q3`, `2026-S2` and `2026`. Each is due a number of days after its last day."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app.config import Settings
from app.errors import invalid
from app.i18n import N_
from app.models import Plan


class Cadence(StrEnum):
    quarter = "quarter"
    semester = "semester"
    year = "year"


MONTHS = {Cadence.quarter: 3, Cadence.semester: 6, Cadence.year: 12}
LETTER = {Cadence.quarter: "Q", Cadence.semester: "S"}
PERIOD_ID = re.compile(r"^(\d{4})(?:-([QS])([1-4]))?$")


@dataclass(frozen=True, slots=True)
class Policy:
    cadence: Cadence
    due_days: int


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    start: date
    end: date
    due: date

    def started(self, today: date) -> bool:
        return self.start <= today


def policy_of(override: dict[str, Any] | None, *, cadence: str, due_days: int) -> Policy:
    """The plan's override, field by field, over the settings' defaults."""
    given = {key: value for key, value in (override or {}).items() if value is not None}
    return Policy(Cadence(given.get("cadence", cadence)), int(given.get("due_days", due_days)))


def plan_policy(plan: Plan, settings: Settings) -> Policy:
    """The plan's reporting policy: its own override over the settings' defaults."""
    return policy_of(
        plan.reporting_policy, cadence=settings.report_cadence, due_days=settings.report_due_days
    )


def of_plan(plan: Plan, settings: Settings) -> list[Period]:
    """Every reporting period of the plan."""
    return periods(plan.period_start, plan.period_end, plan_policy(plan, settings))


def _end_of(year: int, month: int, months: int) -> date:
    last_month = month + months - 1
    first_after = date(year + (last_month // 12), last_month % 12 + 1, 1)
    return first_after - timedelta(days=1)


def _period(year: int, index: int, policy: Policy) -> Period:
    months = MONTHS[policy.cadence]
    start = date(year, (index - 1) * months + 1, 1)
    end = _end_of(year, start.month, months)
    letter = LETTER.get(policy.cadence)
    ident = f"{year}-{letter}{index}" if letter else str(year)
    return Period(ident, start, end, end + timedelta(days=policy.due_days))


def periods(start: date, end: date, policy: Policy) -> list[Period]:
    """Every period that overlaps the plan's span, in order."""
    per_year = 12 // MONTHS[policy.cadence]
    found = [
        _period(year, index, policy)
        for year in range(start.year, end.year + 1)
        for index in range(1, per_year + 1)
    ]
    return [period for period in found if period.end >= start and period.start <= end]


def find(start: date, end: date, policy: Policy, ident: str) -> Period:
    """The period with this id, or a 422 naming the field `period`."""
    for period in periods(start, end, policy):
        if period.id == ident.strip().upper():
            return period
    raise invalid(
        "period",
        N_(
            "No reporting period of this plan has that id: its periods "
            "are {cadence}s, such as 2026-S2, 2026-Q3 or 2026."
        ),
        cadence=policy.cadence.value,
    )


def containing(start: date, end: date, policy: Policy, day: date) -> Period | None:
    return next((p for p in periods(start, end, policy) if p.start <= day <= p.end), None)
