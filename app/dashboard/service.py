"""The dashboard summary: one answer that draws a whole dashboard, assembled from the
aggregates of app.dashboard.counts and a few small reads."""

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.changes import service as changes
from app.dashboard import counts
from app.dashboard.counts import Scope, Tally
from app.dashboard.schemas import (
    Counts,
    OrganisationSummary,
    PillarSummary,
    PlanSummary,
    Summary,
    TaskBrief,
)
from app.i18n import schedule_label, status_label, translate
from app.models import TASK_DONE, Commitment, Organisation, OwnerRole, Pillar, Plan, Task, TaskOwner
from app.models import TaskStatus as S
from app.organisations import service as organisations
from app.tasks.schemas import Schedule

BRIEF_LIMIT = 10
COUNTED = ("tasks", "lead", "open", "overdue", "slipped", "done", "slips")


def scope_for(
    session: Session, today: date, *, plan: str | None, organisation: str | None
) -> Scope:
    """Unknown codes match nothing, as in GET /tasks: a filter, not a lookup."""
    plan_id = organisation_id = None
    if plan:
        found = _plan(session, plan)
        plan_id = found.id if found else None
    if organisation:
        owner = organisations.find(session, organisation)
        organisation_id = owner.id if owner else None
    empty = bool(plan and plan_id is None) or bool(organisation and organisation_id is None)
    return Scope(today, plan_id, organisation_id, empty)


def _plan(session: Session, ref: str) -> Plan | None:
    try:
        return session.get(Plan, UUID(ref))
    except ValueError:
        return session.exec(select(Plan).where(func.upper(Plan.code) == ref.upper())).first()


def _plans(session: Session, scope: Scope, locale: str, totals: Tally) -> list[PlanSummary]:
    tallies = counts.tallies(session, scope)
    commitments = session.exec(select(Commitment.id, Commitment.plan_id, Commitment.pillar_id))
    by_pillar: dict[tuple[UUID, UUID | None], Tally] = {}
    for commitment_id, plan_id, pillar_id in commitments:
        if commitment_id in tallies:
            by_pillar.setdefault((plan_id, pillar_id), Tally()).merge(tallies[commitment_id])
    plans = session.exec(_restrict_plans(select(Plan).order_by(col(Plan.code)), scope)).all()
    pillars = session.exec(select(Pillar).order_by(col(Pillar.position), col(Pillar.code))).all()
    found = []
    for plan in plans:
        plan_pillars = [pillar for pillar in pillars if pillar.plan_id == plan.id]
        summary = _plan_summary(plan, plan_pillars, by_pillar, locale)
        totals.merge(summary[1])
        found.append(summary[0])
    return found


def _restrict_plans(statement: SelectOfScalar[Plan], scope: Scope) -> SelectOfScalar[Plan]:
    return statement.where(col(Plan.id) == scope.plan_id) if scope.plan_id else statement


def _plan_summary(
    plan: Plan,
    pillars: list[Pillar],
    by_pillar: dict[tuple[UUID, UUID | None], Tally],
    locale: str,
) -> tuple[PlanSummary, Tally]:
    total = Tally()
    rows = []
    for pillar in pillars:
        tally = by_pillar.get((plan.id, pillar.id), Tally())
        total.merge(tally)
        title = pillar.title_id if locale == "id" else pillar.title_en
        rows.append(_pillar(pillar.id, pillar.code, title, pillar.position, tally))
    plan_wide = by_pillar.get((plan.id, None))
    if plan_wide is not None:  # commitments under no pillar, such as reviews
        total.merge(plan_wide)
        title = translate("Plan-wide", locale)
        rows.append(_pillar(None, None, title, len(pillars) + 1, plan_wide))
    title = plan.title_id if locale == "id" else plan.title_en
    summary = PlanSummary(id=plan.id, code=plan.code, title=title, pillars=rows, **total.counts())
    return summary, total


def _pillar(
    pillar_id: UUID | None, code: str | None, title: str, position: int, tally: Tally
) -> PillarSummary:
    return PillarSummary(id=pillar_id, code=code, title=title, position=position, **tally.counts())


def _organisations(session: Session, scope: Scope, locale: str) -> list[OrganisationSummary]:
    found = _named(session, counts.by_organisation(session, scope), locale)
    return sorted(found, key=lambda o: (-o.overdue, -o.slipped, -o.open, o.code))


def _named(
    session: Session, counts: dict[UUID, Counter[str]], locale: str
) -> list[OrganisationSummary]:
    organisations = session.exec(select(Organisation).where(col(Organisation.id).in_(counts)))
    return [
        OrganisationSummary(
            id=organisation.id,
            code=organisation.code,
            name=organisation.name_id if locale == "id" else organisation.name_en,
            **{field: counts[organisation.id][field] for field in COUNTED},
        )
        for organisation in organisations
    ]


def _briefs(session: Session, scope: Scope, *, overdue: bool) -> list[TaskBrief]:
    """The open tasks furthest past their deadline, or the next deadlines."""
    due = col(Task.due_date)
    statement: Select[*tuple[Any, ...]] = (
        sa_select(
            col(Task.id),
            col(Task.title),
            col(Plan.code).label("plan"),
            col(Commitment.code).label("commitment"),
            col(Task.status),
            col(Task.progress),
            due,
        )
        .join(Commitment, col(Commitment.id) == col(Task.commitment_id))
        .join(Plan, col(Plan.id) == col(Commitment.plan_id))
        .where(col(Task.status).not_in(TASK_DONE))
        .where(due < scope.today if overdue else due >= scope.today)
        .order_by(due, col(Task.id))
        .limit(BRIEF_LIMIT)
    )
    rows = session.connection().execute(counts.restrict(statement, scope)).mappings().all()
    leads = _leads(session, [row["id"] for row in rows])
    return [
        TaskBrief(
            **row,
            lead_organisation=leads.get(row["id"]),
            days_overdue=(scope.today - row["due_date"]).days,
        )
        for row in rows
    ]


def _leads(session: Session, task_ids: list[UUID]) -> dict[UUID, str]:
    statement = (
        sa_select(col(TaskOwner.task_id), col(Organisation.code))
        .join(Organisation, col(Organisation.id) == col(TaskOwner.organisation_id))
        .where(col(TaskOwner.task_id).in_(task_ids), col(TaskOwner.role) == OwnerRole.lead)
        .order_by(col(Organisation.code).desc())
    )
    return dict(session.connection().execute(statement).all()) if task_ids else {}


def labels(locale: str) -> dict[str, dict[str, str]]:
    return {
        "status": {status.value: status_label(status.value, locale) for status in S},
        "schedule": {item.value: schedule_label(item.value, locale) for item in Schedule},
    }


def summary(session: Session, scope: Scope, *, locale: str) -> Summary:
    totals = Tally()
    plans = [] if scope.empty else _plans(session, scope, locale, totals)
    empty = scope.empty
    return Summary(
        today=scope.today,
        data_version=changes.current_version(session),
        locale=locale,
        totals=Counts(**totals.counts()),
        plans=plans,
        organisations=[] if empty else _organisations(session, scope, locale),
        most_overdue=[] if empty else _briefs(session, scope, overdue=True),
        upcoming=[] if empty else _briefs(session, scope, overdue=False),
        labels=labels(locale),
    )
