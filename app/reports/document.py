"""The period report of a plan, compiled from the data at one instant: the dashboard summary's
own numbers (so they agree with GET /summary), the period's completions, open overdue work, each
commitment's report, what has none, and for a regional plan the national work aligned to it."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.config import Settings
from app.dashboard import service as dashboard
from app.models import (
    TASK_DONE,
    Commitment,
    History,
    Organisation,
    OwnerRole,
    Pillar,
    Plan,
    PlanScope,
    Report,
    Task,
    TaskOwner,
    TaskStatus,
    User,
)
from app.periods import Period
from app.reports import rollup, service
from app.reports.document_schemas import CommitmentLine, PeriodReport, SlipLine, TaskLine
from app.reports.schemas import PeriodPublic


def compile_report(
    session: Session, plan: Plan, period: Period, *, today: date, language: str, settings: Settings
) -> PeriodReport:
    scope = dashboard.scope_for(session, today, plan=str(plan.id), organisation=None)
    summary = dashboard.summary(session, scope, locale=language)
    lines = _commitment_lines(session, plan, period.id, language)
    return PeriodReport(
        plan=plan.code,
        plan_title=plan.title_id if language == "id" else plan.title_en,
        scope=plan.scope.value,
        language=language,
        period=PeriodPublic(**_period_fields(period), started=period.started(today)),
        today=today,
        data_version=summary.data_version,
        totals=summary.plans[0],
        organisations=summary.organisations,
        completed=_completed(session, plan, period),
        overdue=_overdue(session, plan, today),
        slipped=_slipped(session, plan, period),
        reports=[line for line in lines if line.report is not None],
        missing=[line for line in lines if line.report is None],
        rollup=rollup.lines(session, plan, language) if plan.scope is PlanScope.regional else [],
    )


def _period_fields(period: Period) -> dict[str, object]:
    return {"id": period.id, "start": period.start, "end": period.end, "due": period.due}


def _commitment_lines(
    session: Session, plan: Plan, period: str, language: str
) -> list[CommitmentLine]:
    statement = (
        select(Commitment, Pillar.code, Organisation.code, Report)
        .join(Pillar, col(Pillar.id) == col(Commitment.pillar_id), isouter=True)
        .join(
            Organisation, col(Organisation.id) == col(Commitment.lead_organisation_id), isouter=True
        )
        .join(
            Report,
            (col(Report.commitment_id) == col(Commitment.id)) & (col(Report.period) == period),
            isouter=True,
        )
        .where(col(Commitment.plan_id) == plan.id)
        .order_by(col(Commitment.position), col(Commitment.code))
    )
    return [
        CommitmentLine(
            code=commitment.code,
            title=commitment.title_id if language == "id" else commitment.title_en,
            pillar=pillar,
            lead_organisation=lead,
            report=service.public(session, report) if report is not None else None,
        )
        for commitment, pillar, lead, report in session.exec(statement).all()
    ]


def _bounds(plan: Plan, period: Period) -> tuple[datetime, datetime]:
    """The period's first and last instants in the plan's time zone, as UTC."""
    zone = ZoneInfo(plan.time_zone)
    start = datetime.combine(period.start, time(), zone)
    end = datetime.combine(period.end + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _task_rows(session: Session, plan: Plan) -> dict[UUID, tuple[Task, str]]:
    statement = (
        select(Task, Commitment.code)
        .join(Commitment, col(Commitment.id) == col(Task.commitment_id))
        .where(col(Commitment.plan_id) == plan.id)
    )
    return {task.id: (task, code) for task, code in session.exec(statement).all()}


def _leads(session: Session, task_ids: list[UUID]) -> dict[UUID, str]:
    statement = (
        select(TaskOwner.task_id, Organisation.code)
        .join(Organisation, col(Organisation.id) == col(TaskOwner.organisation_id))
        .where(col(TaskOwner.task_id).in_(task_ids), col(TaskOwner.role) == OwnerRole.lead)
    )
    return dict(session.exec(statement).all()) if task_ids else {}


def _line(task: Task, code: str, lead: str | None, today: date | None = None) -> TaskLine:
    late = (today - task.due_date).days if today and task.due_date else None
    return TaskLine(
        id=task.id,
        title=task.title,
        commitment=code,
        lead_organisation=lead,
        status=task.status,
        progress=task.progress,
        due_date=task.due_date,
        days_overdue=late,
    )


def _completed(session: Session, plan: Plan, period: Period) -> list[TaskLine]:
    """Tasks whose move to completed the history dates within the period and that are still
    completed (a reopened task is not completed work)."""
    start, end = _bounds(plan, period)
    tasks = _task_rows(session, plan)
    moves = session.exec(
        select(History.entity_id, History.new).where(
            col(History.entity) == "task",
            col(History.field) == "status",
            col(History.at) >= start,
            col(History.at) < end,
        )
    ).all()
    done = sorted({task_id for task_id, new in moves if new == TaskStatus.completed.value})
    found = [task_id for task_id in done if task_id in tasks]
    kept = [tid for tid in found if tasks[tid][0].status is TaskStatus.completed]
    leads = _leads(session, kept)
    return [_line(*tasks[tid], leads.get(tid)) for tid in kept]


def _overdue(session: Session, plan: Plan, today: date) -> dict[str, list[TaskLine]]:
    tasks = _task_rows(session, plan)
    late = [
        task_id
        for task_id, (task, _code) in tasks.items()
        if task.status not in TASK_DONE and task.due_date is not None and task.due_date < today
    ]
    leads = _leads(session, late)
    grouped: dict[str, list[TaskLine]] = defaultdict(list)
    for task_id in late:
        lead = leads.get(task_id)
        grouped[lead or "—"].append(_line(*tasks[task_id], lead, today))
    return {
        organisation: sorted(lines, key=lambda line: -(line.days_overdue or 0))
        for organisation, lines in sorted(grouped.items())
    }


MOVE_FIELDS = ("due_date", "due_date_reason", "slips")


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _slipped(session: Session, plan: Plan, period: Period) -> list[SlipLine]:
    """The moves of a due date to a later day made within the period: each is one change of
    the task whose history rows (due_date old -> new, due_date_reason, slips n -> n+1) share
    the task, the instant and the actor. Moves before reasons were asked for have no slips row
    and are not listed (decision 16)."""
    start, end = _bounds(plan, period)
    tasks = _task_rows(session, plan)
    rows = session.exec(
        select(History)
        .where(
            col(History.entity) == "task",
            col(History.field).in_(MOVE_FIELDS),
            col(History.at) >= start,
            col(History.at) < end,
        )
        .order_by(col(History.at), col(History.id))
    ).all()
    changes: dict[tuple[UUID, datetime], dict[str, History]] = defaultdict(dict)
    for row in rows:
        if row.entity_id in tasks and row.field:
            changes[(row.entity_id, row.at)][row.field] = row
    slips = {key: fields for key, fields in changes.items() if "slips" in fields}
    leads = _leads(session, sorted({task_id for task_id, _at in slips}))
    actors = _names(session, {f["slips"].actor_id for f in slips.values()})
    lines = []
    for (task_id, at), fields in slips.items():
        task, code = tasks[task_id]
        moved, reason = fields.get("due_date"), fields.get("due_date_reason")
        actor_id = fields["slips"].actor_id
        lines.append(
            SlipLine(
                task=task_id,
                title=task.title,
                commitment=code,
                lead_organisation=leads.get(task_id),
                old_due_date=_day(moved.old) if moved else None,
                new_due_date=_day(moved.new) if moved else None,
                reason=str(reason.new) if reason and reason.new is not None else None,
                actor=actors.get(actor_id) if actor_id else None,
                at=at,
            )
        )
    return sorted(lines, key=lambda line: (line.lead_organisation or "~", line.at))


def _names(session: Session, user_ids: set[UUID | None]) -> dict[UUID, str]:
    wanted = sorted((u for u in user_ids if u is not None), key=str)
    if not wanted:
        return {}
    statement = select(User.id, User.name).where(col(User.id).in_(wanted))
    return dict(session.exec(statement).all())
