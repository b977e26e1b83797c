"""Reports: filing, editing, and the steps from draft to accepted, each through app.audit."""

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import periods
from app.audit import apply_changes, bump, record
from app.commitments import service as commitments
from app.config import Settings
from app.errors import Conflict, NotFound, invalid
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Commitment, Plan, Report, ReportFile, ReportState, Task, User
from app.plans import service as plans
from app.reports import rules
from app.reports.schemas import ReportCreate, ReportPublic, ReportReview, ReportUpdate

ENTITY = "report"


def policy(plan: Plan, settings: Settings) -> periods.Policy:
    return periods.plan_policy(plan, settings)


def plan_periods(plan: Plan, settings: Settings) -> list[periods.Period]:
    return periods.of_plan(plan, settings)


def period_of(plan: Plan, settings: Settings, ident: str) -> periods.Period:
    return periods.find(plan.period_start, plan.period_end, policy(plan, settings), ident)


def today_in(plan: Plan, now: datetime) -> date:
    return now.astimezone(ZoneInfo(plan.time_zone)).date()


def resolve(session: Session, report_id: str, *, for_update: bool = False) -> Report:
    """The report; `for_update` locks its row until the transaction ends (a page's write
    compares the form's version under the lock)."""
    key = plans.as_uuid(report_id)
    report = session.get(Report, key, with_for_update=for_update) if key else None
    if report is None:
        raise NotFound(ENTITY)
    return report


def public(session: Session, report: Report) -> ReportPublic:
    plan = session.get(Plan, report.plan_id)
    commitment = session.get(Commitment, report.commitment_id)
    assert plan is not None  # foreign keys
    assert commitment is not None
    files = session.exec(
        select(ReportFile)
        .where(col(ReportFile.report_id) == report.id)
        .order_by(col(ReportFile.created_at), col(ReportFile.id))
    )
    return ReportPublic.model_validate(
        {**report.model_dump(), "plan": plan.code, "commitment": commitment.code}
        | {"target": _target(commitment), "files": [row.model_dump() for row in files]}
    )


def _target(commitment: Commitment) -> str | None:
    parts = [commitment.output, str(commitment.target_year) if commitment.target_year else None]
    return " — ".join(part for part in parts if part) or None


def list_reports(
    session: Session,
    page: PageParams,
    *,
    plan: str | None,
    period: str | None,
    commitment: str | None,
    state: ReportState | None,
) -> tuple[list[ReportPublic], str | None]:
    statement = select(Report)
    if plan:
        found = plans.find(session, plan)
        statement = statement.where(col(Report.plan_id) == (found.id if found else None))
    if commitment:
        target = commitments.find(session, commitment)
        statement = statement.where(col(Report.commitment_id) == (target.id if target else None))
    if period:
        statement = statement.where(func.upper(Report.period) == period.strip().upper())
    if state is not None:
        statement = statement.where(col(Report.state) == state)
    rows, cursor = paginate(session, statement, [col(Report.created_at), col(Report.id)], page)
    return [public(session, row) for row in rows], cursor


def _record(
    session: Session,
    report: Report,
    action: str,
    *,
    actor_id: UUID,
    now: datetime,
    changed: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    record(
        session,
        entity=ENTITY,
        entity_id=report.id,
        action=action,
        version=report.version,
        data=public(session, report).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
        note=note,
    )


def ensure_filer(session: Session, actor: User, report: Report) -> Commitment:
    """The report's commitment, once the actor may file its reports."""
    commitment = session.get(Commitment, report.commitment_id)
    assert commitment is not None  # foreign key
    rules.ensure_can_file(session, actor, commitment)
    return commitment


def touched(
    session: Session, report: Report, action: str, *, actor: User, now: datetime, note: str
) -> None:
    """A change of what belongs to the report (an evidence file): a new version of it."""
    bump(report, now=now)
    session.add(report)
    _record(session, report, action, actor_id=actor.id, now=now, note=note)


def _check_task(session: Session, task_id: UUID | None, commitment: Commitment) -> None:
    task = session.get(Task, task_id) if task_id else None
    if task_id is not None and (task is None or task.commitment_id != commitment.id):
        raise invalid("task", N_("The task belongs to another commitment."))


def open_period(plan: Plan, settings: Settings, ident: str, now: datetime) -> periods.Period:
    period = period_of(plan, settings, ident)
    if not period.started(today_in(plan, now)):
        raise invalid(
            "period",
            N_("The period {period} has not started yet: its reports open on {start}."),
            period=period.id,
            start=period.start,
        )
    return period


def create(
    session: Session, data: ReportCreate, *, actor: User, settings: Settings, now: datetime
) -> Report:
    commitment = commitments.find(session, data.commitment)
    if commitment is None:
        raise invalid("commitment", N_("No {entity} with that id or code."), entity="commitment")
    rules.ensure_can_file(session, actor, commitment)
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    period = open_period(plan, settings, data.period, now)
    _check_task(session, data.task, commitment)
    _ensure_first(session, commitment, period.id)
    fields = data.model_dump(exclude={"commitment", "task", "period"})
    report = Report(
        **fields,
        plan_id=plan.id,
        commitment_id=commitment.id,
        task_id=data.task,
        period=period.id,
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    _record(session, report, "created", actor_id=actor.id, now=now)
    return report


def _ensure_first(session: Session, commitment: Commitment, period: str) -> None:
    existing = select(Report.id).where(
        col(Report.commitment_id) == commitment.id, col(Report.period) == period
    )
    if session.exec(existing).first() is not None:
        raise Conflict(
            N_("This commitment already has a report for {period}: change that one."), period=period
        )


def update(
    session: Session, report: Report, data: ReportUpdate, *, actor: User, now: datetime
) -> Report:
    ensure_filer(session, actor, report)
    rules.ensure_editable(report)
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    changed = apply_changes(report, fields, now=now)
    if changed:
        session.add(report)
        _record(session, report, "updated", actor_id=actor.id, now=now, changed=changed)
    return report


def step(
    session: Session, report: Report, action: str, data: ReportReview, *, actor: User, now: datetime
) -> Report:
    """Submit (its filers), accept or return (the plan's coordinators)."""
    commitment = session.get(Commitment, report.commitment_id)
    assert commitment is not None
    target = rules.check_step(session, actor, report, commitment, action).target
    _check_content(report, action, data)
    changed = {"state": (report.state.value, target.value)}
    report.state = target
    _stamp(report, action, data, actor=actor, now=now)
    bump(report, now=now)
    session.add(report)
    _record(
        session,
        report,
        target.value,
        actor_id=actor.id,
        now=now,
        changed=changed,
        note=data.comment,
    )
    return report


def _check_content(report: Report, action: str, data: ReportReview) -> None:
    if action == "submit" and not (report.narrative_en or report.narrative_id):
        raise invalid(
            "narrative_en", N_("A submitted report needs a narrative in English or Indonesian.")
        )
    if action == "return" and not data.comment:
        raise invalid("comment", N_("A returned report needs a comment saying what to change."))


def _stamp(report: Report, action: str, data: ReportReview, *, actor: User, now: datetime) -> None:
    if action == "submit":
        report.submitted_at = now
        return
    report.reviewed_at, report.reviewer_id, report.review_comment = now, actor.id, data.comment


def find(session: Session, commitment: Commitment, period: str) -> Report | None:
    """The report on the commitment for the period, if one was filed."""
    statement = select(Report).where(
        col(Report.commitment_id) == commitment.id, col(Report.period) == period
    )
    return session.exec(statement).first()
