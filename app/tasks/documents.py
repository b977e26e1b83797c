"""A task's public representation, built for a whole page in two queries whatever its size:
as plain data for the list that dashboards poll (serialised as it is, app.http.json_response),
validated into TaskPublic everywhere else."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Row, String, bindparam, cast, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.models import Commitment, Organisation, Pillar, Plan, Task, TaskOwner
from app.models.base import UuidText
from app.tasks.schemas import Schedule, TaskPublic
from app.tasks.transitions import DONE

# A deadline this many days away or fewer (today included) is "due_soon".
DUE_SOON_DAYS = 7

# TaskPublic as plain data, its fields in the same order.
Document = dict[str, Any]
Ref = dict[str, Any]


def _id(column: Any, name: str) -> Any:
    return type_coerce(column, UuidText()).label(name)


def _text(column: Any) -> Any:
    """An enum column as its stored text (the JSON it becomes), not converted to the enum."""
    return type_coerce(column, String()).label(column.key)


# A task with its commitment, plan and pillar: one query for a whole page. Ids are read as text
# (UuidText): a page has hundreds of them and they only go on to JSON.
COLUMNS = sa_select(
    _id(Task.id, "id"),
    col(Task.title),
    col(Task.description),
    _text(Task.status),
    col(Task.progress),
    col(Task.start_date),
    col(Task.due_date),
    _text(Task.priority),
    _id(Task.assignee_id, "assignee_id"),
    # As its JSON text, parsed here with orjson: the drivers' JSON loaders cost more.
    cast(col(Task.reminder_policy), String).label("reminder_policy"),
    col(Task.version),
    col(Task.created_at),
    col(Task.updated_at),
    _id(Commitment.id, "commitment_id"),
    col(Commitment.code).label("commitment_code"),
    col(Commitment.title_en).label("commitment_title_en"),
    col(Commitment.title_id).label("commitment_title_id"),
    _id(Plan.id, "plan_id"),
    col(Plan.code).label("plan_code"),
    _id(Pillar.id, "pillar_id"),
    col(Pillar.code).label("pillar_code"),
)
ROWS = (
    COLUMNS.join_from(Task, Commitment, col(Commitment.id) == col(Task.commitment_id))
    .join(Plan, col(Plan.id) == col(Commitment.plan_id))
    .outerjoin(Pillar, col(Pillar.id) == col(Commitment.pillar_id))
)
OWNERS = (
    sa_select(
        _id(TaskOwner.task_id, "task_id"),
        _text(TaskOwner.role),
        _id(Organisation.id, "id"),
        col(Organisation.code),
        col(Organisation.name_en),
        col(Organisation.name_id),
    )
    .join(Organisation, col(Organisation.id) == col(TaskOwner.organisation_id))
    .where(type_coerce(TaskOwner.task_id, UuidText()).in_(bindparam("tasks", expanding=True)))
    .order_by(col(TaskOwner.role), col(Organisation.code))
)


def schedule_of(task: Task, today: date) -> Schedule:
    return _schedule(task.status, task.due_date, today, _soon(today))


def _soon(today: date) -> date:
    return today + timedelta(days=DUE_SOON_DAYS)


def _schedule(status: str, due: date | None, today: date, soon: date) -> Schedule:
    if status in DONE:
        return Schedule.done
    if due is None:
        return Schedule.no_due_date
    if due < today:
        return Schedule.overdue
    if due <= soon:
        return Schedule.due_soon
    return Schedule.on_track


def owners_of(session: Session, task_ids: Sequence[UUID | str]) -> dict[str, list[Document]]:
    """Owners by task id (as text), the lead first, then by organisation code."""
    rows = session.connection().execute(OWNERS, {"tasks": [str(i) for i in task_ids]}).all()
    found: dict[str, list[Document]] = {}
    for task_id, role, oid, code, name_en, name_id in rows:
        organisation = {"id": oid, "code": code, "name_en": name_en, "name_id": name_id}
        found.setdefault(task_id, []).append({"organisation": organisation, "role": role})
    return found


def documents(
    session: Session, rows: Sequence[Row[*tuple[Any, ...]]], today: date
) -> list[Document]:
    """The representation of tasks read with ROWS, their owners in one more query."""
    owners = owners_of(session, [row[0] for row in rows]) if rows else {}
    days = today, _soon(today)
    return [_document(row, owners.get(row[0], []), days) for row in rows]


def _document(
    row: Row[*tuple[Any, ...]], owners: list[Document], days: tuple[date, date]
) -> Document:
    # Unpacked by position, in COLUMNS' order: a page builds hundreds of these.
    (
        task_id, title, description, status, progress, start_date, due_date, priority,
        assignee_id, reminder_policy, version, created_at, updated_at, *context,
    ) = row  # fmt: skip
    commitment, plan, pillar = _context(*context)
    return {
        "id": task_id,
        "commitment": commitment,
        "plan": plan,
        "pillar": pillar,
        "title": title,
        "description": description,
        "status": status,
        "progress": progress,
        "start_date": start_date,
        "due_date": due_date,
        "priority": priority,
        "owners": owners,
        "assignee_id": assignee_id,
        "reminder_policy": None if reminder_policy is None else orjson.loads(reminder_policy),
        "schedule": _schedule(status, due_date, *days),
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
    }


def _context(
    commitment_id: str,
    code: str,
    title_en: str,
    title_id: str,
    plan_id: str,
    plan_code: str,
    pillar_id: str | None,
    pillar_code: str | None,
) -> tuple[Ref, Ref, Ref | None]:
    commitment = {"id": commitment_id, "code": code, "title_en": title_en, "title_id": title_id}
    pillar = {"id": pillar_id, "code": pillar_code} if pillar_id else None
    return commitment, {"id": plan_id, "code": plan_code}, pillar


def publics(session: Session, tasks: Sequence[Task], today: date) -> list[TaskPublic]:
    if not tasks:
        return []
    statement = ROWS.where(col(Task.id).in_([task.id for task in tasks]))
    rows = session.connection().execute(statement).all()
    found = {document["id"]: document for document in documents(session, rows, today)}
    return [TaskPublic.model_validate(found[str(task.id)]) for task in tasks]


def public(session: Session, task: Task, today: date) -> TaskPublic:
    return publics(session, [task], today)[0]
