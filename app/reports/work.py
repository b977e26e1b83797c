"""Which reports a person has to file or review: for the pages (plan page, My work)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlmodel import Session, col, select

from app import periods
from app.config import Settings
from app.models import Commitment, Plan, PlanCoordinator, Report, ReportState, Role, User
from app.reports import service

MY_WORK_LIMIT = 50


@dataclass(frozen=True)
class Slot:
    """A commitment's report for one period: filed (`report`) or not yet."""

    plan: Plan
    commitment: Commitment
    period: periods.Period
    report: Report | None


def started_periods(plan: Plan, settings: Settings, today: date) -> list[periods.Period]:
    """The plan's periods that have started, the latest first."""
    found = service.plan_periods(plan, settings)
    return [period for period in reversed(found) if period.started(today)]


def reports_by_slot(session: Session, plan: Plan) -> dict[tuple[UUID, str], Report]:
    rows = session.exec(select(Report).where(col(Report.plan_id) == plan.id))
    return {(row.commitment_id, row.period): row for row in rows}


def for_plan(
    session: Session, plan: Plan, commitments: list[Commitment], settings: Settings, today: date
) -> dict[UUID, list[Slot]]:
    """Each commitment's slots of the periods that have started (the latest two at most)."""
    latest = started_periods(plan, settings, today)[:2]
    filed = reports_by_slot(session, plan)
    return {c.id: [Slot(plan, c, p, filed.get((c.id, p.id))) for p in latest] for c in commitments}


def for_person(session: Session, user: User, settings: Settings, today: date) -> list[Slot]:
    """The current period's reports of the commitments a person files (their organisation
    leads them) or reviews (their plans), with returned and submitted ones of earlier periods:
    what is not yet accepted, reports to review first."""
    statement = select(Commitment, Plan).join(Plan, col(Plan.id) == col(Commitment.plan_id))
    if user.role is Role.coordinator:
        mine = select(PlanCoordinator.plan_id).where(col(PlanCoordinator.user_id) == user.id)
        statement = statement.where(col(Plan.id).in_(mine))
    elif user.role is Role.contributor and user.organisation_id is not None:
        statement = statement.where(col(Commitment.lead_organisation_id) == user.organisation_id)
    else:
        return []
    slots: list[Slot] = []
    filed_of: dict[UUID, dict[tuple[UUID, str], Report]] = {}
    for commitment, plan in session.exec(statement.order_by(col(Commitment.code))):
        if plan.id not in filed_of:
            filed_of[plan.id] = reports_by_slot(session, plan)
        filed = filed_of[plan.id]
        for index, period in enumerate(started_periods(plan, settings, today)):
            report = filed.get((commitment.id, period.id))
            open_earlier = report is not None and report.state in (
                ReportState.submitted,
                ReportState.returned,
            )
            if index == 0 or open_earlier:
                slots.append(Slot(plan, commitment, period, report))
    slots = [slot for slot in slots if slot.report is None or slot.report.state != "accepted"]
    reviewing = user.role is Role.coordinator
    slots.sort(key=lambda s: (not (reviewing and _state(s) == "submitted"), s.period.id))
    return slots[:MY_WORK_LIMIT]


def _state(slot: Slot) -> str:
    return slot.report.state.value if slot.report else ""
