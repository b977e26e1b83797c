"""Reminders for reports: each commitment's report for a reporting period is owed by the
contributors of its lead organisation and escalated to the plan's coordinators, on the policy
that task deadlines follow (the plan's `reminder_policy`): before the period's due date, on it,
then while it is overdue. A report submitted or accepted stops them; a returned one is owed
again, and its reminders go on from the next day the policy names.

Overdue reminders and escalations of a period end one period's length after its due date,
about when the next period's report falls due: a report still missing after that is shown in
the period report (commitments without a report), not repeated in every inbox for years.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from sqlmodel import Session, col, select

from app import periods
from app.config import Settings
from app.models import Commitment, Plan, ReminderSubject, Report, ReportState, User
from app.periods import Period
from app.reminders.audience import chunks, contributors_of, coordinators_of
from app.reminders.planner import Owed, Subject, Window, World, series
from app.reminders.policy import Point, Policy, due_points, effective, escalation_points

# A report in these states needs nothing more from its filers.
QUIET = frozenset({ReportState.submitted, ReportState.accepted})


@dataclass
class ReportAudience:
    commitment: Commitment
    plan: Plan
    period: Period
    report: Report | None
    people: list[User] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)


def points(policy: Policy, period: Period, window: Window) -> tuple[list[Point], list[Point]]:
    """The filers' points and the coordinators' in the window. The escalation clock runs from
    the due date: a report has no progress that would reset it. Nothing falls before the period
    starts, when its report cannot be filed yet, nor after the series ends (module docstring)."""
    first = max(window.first, period.start)
    last = min(window.last, period.due + (period.end - period.start))
    if first > last:
        return [], []
    due = period.due
    return due_points(policy, due, first, last), escalation_points(policy, due, due, first, last)


def _periods(plan: Plan, settings: Settings, window: Window) -> list[tuple[Period, Policy]]:
    policy = effective(plan.reminder_policy, None)
    if not policy.enabled:
        return []
    found = []
    for period in periods.of_plan(plan, settings):
        if any(points(policy, period, window)):
            found.append((period, policy))
    return found


def _reports(
    session: Session, commitment_ids: Sequence[UUID], period_ids: set[str]
) -> dict[tuple[UUID, str], Report]:
    found: dict[tuple[UUID, str], Report] = {}
    for part in chunks(sorted(commitment_ids, key=str)):
        statement = select(Report).where(
            col(Report.commitment_id).in_(part), col(Report.period).in_(sorted(period_ids))
        )
        for report in session.exec(statement).all():
            found[(report.commitment_id, report.period)] = report
    return found


def audiences(session: Session, settings: Settings, window: Window) -> list[ReportAudience]:
    """Every report owed that may get a reminder in the window, with its people: a handful of
    queries, and only for the plans with a period whose policy names a day in the window."""
    due: dict[UUID, tuple[Plan, list[Period]]] = {}
    for plan in session.exec(select(Plan)).all():
        found = [period for period, _ in _periods(plan, settings, window)]
        if found:
            due[plan.id] = (plan, found)
    if not due:
        return []
    commitments: list[Commitment] = []
    for part in chunks(sorted(due, key=str)):
        statement = select(Commitment).where(
            col(Commitment.plan_id).in_(part), col(Commitment.lead_organisation_id).is_not(None)
        )
        commitments += session.exec(statement).all()
    period_ids = {period.id for _, found in due.values() for period in found}
    filed = _reports(session, [c.id for c in commitments], period_ids)
    leads = [c.lead_organisation_id for c in commitments if c.lead_organisation_id]
    people = contributors_of(session, leads)
    coordinators = coordinators_of(session, list(due))
    result = []
    for commitment in commitments:
        plan, found = due[commitment.plan_id]
        for period in found:
            report = filed.get((commitment.id, period.id))
            if report is not None and report.state in QUIET:
                continue
            result.append(
                ReportAudience(
                    commitment,
                    plan,
                    period,
                    report,
                    people.get(commitment.lead_organisation_id, []),
                    coordinators.get(plan.id, []),
                )
            )
    return result


def owed(audience: ReportAudience, world: World, window: Window) -> list[Owed]:
    """As for a task: per recipient and channel, the latest point in the window."""
    policy = effective(audience.plan.reminder_policy, None)
    reminders, escalations = points(policy, audience.period, window)
    subject = Subject(
        ReminderSubject.report,
        audience.commitment.id,
        audience.period.id,
        audience.period.due,
        audience.plan,
        audience.commitment.created_at,
        audience.period.id,
    )
    groups = [(reminders, audience.people), (escalations, audience.coordinators)]
    return series(subject, world, window, groups)


def pending(
    session: Session, settings: Settings, world: World, window: Window
) -> list[tuple[Owed, ReportAudience]]:
    found: list[tuple[Owed, ReportAudience]] = []
    for audience in audiences(session, settings, window):
        found += [(item, audience) for item in owed(audience, world, window)]
    return found
