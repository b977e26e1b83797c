"""Reading tasks: the filters and pages of GET /tasks and the history of a task. The public
representation is built in app.tasks.documents (re-exported here: publics, public)."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, case, false, func, or_
from sqlmodel import Session, col, select

from app.errors import NotFound, invalid
from app.http import PageParams, paginate, paginate_rows
from app.i18n import N_
from app.models import (
    TASK_DONE,
    Commitment,
    History,
    Pillar,
    Plan,
    Task,
    TaskOwner,
    User,
)
from app.organisations import service as organisations
from app.tasks.documents import DUE_SOON_DAYS as DUE_SOON_DAYS
from app.tasks.documents import ROWS, days
from app.tasks.documents import public as public
from app.tasks.documents import publics as publics
from app.tasks.schemas import ActorRef, HistoryPublic, Schedule, TaskFilters, TaskPublic

ENTITY = "task"
# Creation order is stable under concurrent edits, so a client paging while others write
# neither misses a task nor sees one twice.
PAGE_KEY = (col(Task.created_at), col(Task.id))


def parse_id(ref: str) -> UUID:
    """A task id from the URL; anything that is not a UUID names no task (404)."""
    try:
        return UUID(ref)
    except ValueError:
        raise NotFound(ENTITY) from None


def _by_ref(id_column: Any, code_column: Any, ref: str) -> ColumnElement[bool]:
    try:
        return col(id_column) == UUID(ref)
    except ValueError:
        return func.upper(code_column) == ref.upper()


def _in_plan(ref: str) -> ColumnElement[bool]:
    commitments = (
        select(Commitment.id)
        .join(Plan, col(Plan.id) == col(Commitment.plan_id))
        .where(_by_ref(Plan.id, Plan.code, ref))
    )
    return col(Task.commitment_id).in_(commitments)


def _in_pillar(ref: str) -> ColumnElement[bool]:
    commitments = (
        select(Commitment.id)
        .join(Pillar, col(Pillar.id) == col(Commitment.pillar_id))
        .where(_by_ref(Pillar.id, Pillar.code, ref))
    )
    return col(Task.commitment_id).in_(commitments)


def _in_commitment(ref: str) -> ColumnElement[bool]:
    commitments = select(Commitment.id).where(_by_ref(Commitment.id, Commitment.code, ref))
    return col(Task.commitment_id).in_(commitments)


def _owned_by(session: Session, ref: str) -> ColumnElement[bool]:
    organisation = organisations.find(session, ref)
    if organisation is None:
        return false()  # an unknown organisation owns nothing: an empty page, not an error
    owned = select(TaskOwner.task_id).where(col(TaskOwner.organisation_id) == organisation.id)
    return col(Task.id).in_(owned)


def _assigned_to(ref: str, user_id: UUID) -> ColumnElement[bool]:
    if ref.casefold() == "me":
        return col(Task.assignee_id) == user_id
    try:
        return col(Task.assignee_id) == UUID(ref)
    except ValueError:
        raise invalid("assignee", N_("Use a user id, or `me`.")) from None


def _in_schedule(schedule: Schedule, today: date) -> ColumnElement[bool]:
    if schedule is Schedule.done:
        return col(Task.status).in_(TASK_DONE)
    due, soon = col(Task.due_date), today + timedelta(days=DUE_SOON_DAYS)
    reckoned = {
        Schedule.no_due_date: due.is_(None),
        Schedule.overdue: due < today,
        Schedule.due_soon: and_(due >= today, due <= soon),
        Schedule.on_track: due > soon,
    }[schedule]
    return and_(col(Task.status).not_in(TASK_DONE), reckoned)


def _matches(q: str) -> ColumnElement[bool]:
    return or_(
        col(Task.title).icontains(q, autoescape=True),
        col(Task.description).icontains(q, autoescape=True),
    )


def own(filters: TaskFilters, caller: User | None) -> TaskFilters:
    """The filters with `organisation=me` read as the caller's organisation."""
    organisation = organisations.own(filters.organisation, caller)
    return filters.model_copy(update={"organisation": organisation})


def conditions(
    session: Session, filters: TaskFilters, *, user_id: UUID, today: date
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.plan:
        found.append(_in_plan(filters.plan))
    if filters.pillar:
        found.append(_in_pillar(filters.pillar))
    if filters.commitment:
        found.append(_in_commitment(filters.commitment))
    if filters.organisation:
        found.append(_owned_by(session, filters.organisation))
    if filters.status:
        found.append(col(Task.status).in_(filters.status))
    if filters.schedule:
        found.append(or_(*(_in_schedule(item, today) for item in filters.schedule)))
    if filters.assignee:
        found.append(_assigned_to(filters.assignee, user_id))
    return found + _range_conditions(filters)


def _range_conditions(filters: TaskFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.due_before is not None:
        found.append(col(Task.due_date) <= filters.due_before)
    if filters.due_after is not None:
        found.append(col(Task.due_date) >= filters.due_after)
    if filters.updated_after is not None:
        found.append(col(Task.updated_at) > filters.updated_after)
    if filters.q and filters.q.strip():
        found.append(_matches(filters.q.strip()))
    return found


def list_tasks(
    session: Session, filters: TaskFilters, page: PageParams, *, user_id: UUID, today: date
) -> tuple[list[str], str | None]:
    """A page of tasks as TaskPublic JSON documents, in one query whatever its size."""
    found = conditions(session, filters, user_id=user_id, today=today)
    statement = ROWS.where(*found) if found else ROWS
    rows, cursor = paginate_rows(session, statement, PAGE_KEY, page, days(today))
    return [row.document for row in rows], cursor


MY_WORK_LIMIT = 100


def _mine(user: User) -> ColumnElement[bool]:
    """Assigned to the person, or owned (lead or support) by their organisation."""
    assigned = col(Task.assignee_id) == user.id
    if user.organisation_id is None:
        return assigned
    owned = select(TaskOwner.task_id).where(col(TaskOwner.organisation_id) == user.organisation_id)
    return or_(assigned, col(Task.id).in_(owned))


def my_work(session: Session, user: User, filters: TaskFilters, *, today: date) -> list[TaskPublic]:
    """The person's tasks: overdue first, then due soon, then by due date (none last), done
    work at the end; the filters of GET /tasks narrow it."""
    due = col(Task.due_date)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    rank = case((col(Task.status).in_(TASK_DONE), 3), (due < today, 0), (due <= soon, 1), else_=2)
    order = (rank, due.is_(None), due, col(Task.created_at))
    found = conditions(session, filters, user_id=user.id, today=today)
    # The first ones by rank, then the documents of those only: a document is costly to build.
    first = select(Task.id).where(_mine(user), *found).order_by(*order).limit(MY_WORK_LIMIT)
    statement = ROWS.where(col(Task.id).in_(first.scalar_subquery())).order_by(*order)
    rows = session.connection().execute(statement, days(today)).all()
    return [TaskPublic.model_validate_json(row.document) for row in rows]


def history_page(
    session: Session, ref: str, page: PageParams
) -> tuple[list[HistoryPublic], str | None]:
    """The history of a task, oldest first; still readable after the task is deleted."""
    task_id = parse_id(ref)
    statement = select(History).where(
        col(History.entity) == ENTITY, col(History.entity_id) == task_id
    )
    rows, cursor = paginate(session, statement, [col(History.id)], page)
    if not rows and page.cursor is None and session.get(Task, task_id) is None:
        raise NotFound(ENTITY)
    names = _names(session, {row.actor_id for row in rows if row.actor_id})
    return [history_public(row, names) for row in rows], cursor


def _names(session: Session, user_ids: set[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.name).where(col(User.id).in_(user_ids)))
    return dict(rows.all())


def history_public(row: History, names: dict[UUID, str]) -> HistoryPublic:
    actor = ActorRef(id=row.actor_id, name=names.get(row.actor_id)) if row.actor_id else None
    return HistoryPublic.model_validate({**row.model_dump(), "actor": actor})
