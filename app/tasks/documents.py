"""A task's public representation, written by the database as JSON (app.sqljson): the page
that dashboards poll passes each row's document on as it is (app.http.json_response), and
everything else validates it into TaskPublic (publics)."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Date,
    Dialect,
    Select,
    bindparam,
    case,
    literal,
    literal_column,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.db import among, numbered
from app.models import TASK_DONE, Commitment, Organisation, Pillar, Plan, Task, TaskOwner
from app.models.base import UTCDateTime
from app.sqljson import (
    embedded_json,
    iso_date,
    iso_instant,
    json_array,
    json_object,
    json_text,
    key,
    nullable,
    uuid_text,
)
from app.tasks.schemas import Schedule, TaskPublic

# A deadline this many days away or fewer (today included) is "due_soon".
DUE_SOON_DAYS = 7


def _object(**fields: Any) -> Any:
    pairs = [part for name, value in fields.items() for part in (key(name), value)]
    return json_object(*pairs)


_OWNERS = json_array(
    sa_select(
        _object(
            organisation=_object(
                id=uuid_text(Organisation.id),
                code=col(Organisation.code),
                name_en=col(Organisation.name_en),
                name_id=col(Organisation.name_id),
            ),
            role=col(TaskOwner.role),
        ).label("doc"),
        col(TaskOwner.role).label("role"),
        col(Organisation.code).label("code"),
    )
    .join(Organisation, col(Organisation.id) == col(TaskOwner.organisation_id))
    .where(col(TaskOwner.task_id) == col(Task.id))
    .correlate(Task),
    "role",  # the lead first, then by organisation code
    "code",
)
_DONE: ColumnElement[str] = literal_column(
    "(" + ", ".join(f"'{status.value}'" for status in sorted(TASK_DONE)) + ")"
)
_SCHEDULE = case(
    (col(Task.status).op("IN")(_DONE), key(Schedule.done.value)),
    (col(Task.due_date).is_(None), key(Schedule.no_due_date.value)),
    (col(Task.due_date) < bindparam("today", type_=Date), key(Schedule.overdue.value)),
    (col(Task.due_date) <= bindparam("soon", type_=Date), key(Schedule.due_soon.value)),
    else_=key(Schedule.on_track.value),
)
# TaskPublic, its fields in the same order: as JSON (DOCUMENT_JSON), and as its text.
DOCUMENT_JSON = _object(
    id=uuid_text(Task.id),
    commitment=_object(
        id=uuid_text(Commitment.id),
        code=col(Commitment.code),
        title_en=col(Commitment.title_en),
        title_id=col(Commitment.title_id),
    ),
    plan=_object(id=uuid_text(Plan.id), code=col(Plan.code)),
    pillar=nullable(
        col(Pillar.id).is_(None), _object(id=uuid_text(Pillar.id), code=col(Pillar.code))
    ),
    title=col(Task.title),
    description=col(Task.description),
    status=col(Task.status),
    progress=col(Task.progress),
    start_date=iso_date(Task.start_date),
    due_date=iso_date(Task.due_date),
    slips=col(Task.slips),
    priority=col(Task.priority),
    owners=_OWNERS,
    assignee_id=uuid_text(Task.assignee_id),
    reminder_policy=embedded_json(Task.reminder_policy),
    schedule=_SCHEDULE,
    version=col(Task.version),
    created_at=iso_instant(Task.created_at),
    updated_at=iso_instant(Task.updated_at),
)
DOCUMENT = json_text(DOCUMENT_JSON).label("document")
# A page of tasks: each one's document, and the page key (app.tasks.query.PAGE_KEY).
ROWS = (
    sa_select(DOCUMENT, col(Task.created_at), col(Task.id))
    .join_from(Task, Commitment, col(Commitment.id) == col(Task.commitment_id))
    .join(Plan, col(Plan.id) == col(Commitment.plan_id))
    .outerjoin(Pillar, col(Pillar.id) == col(Commitment.pillar_id))
)


def feed_rows(
    dialect: Dialect, entity: str, written: Sequence[tuple[UUID, str]], at: datetime
) -> Select[Any]:
    """The change feed's rows of these tasks (id, action), one each, as
    app.changes.service.record_selected takes them: each one's position from 0 in `written`,
    the entity, the task's id, the action, its version and document, and `at`. Executed with
    `days`. Unordered: each row's position numbers it, and sorting 10,000 documents (10 MB)
    spilled to disk on PostgreSQL."""
    listed = numbered(dialect, written)
    return ROWS.with_only_columns(
        listed.c.position,
        literal(entity).label("entity"),
        col(Task.id).label("entity_id"),
        listed.c.label.label("action"),
        col(Task.version).label("version"),
        DOCUMENT_JSON.label("data"),
        literal(at, UTCDateTime()).label("at"),
    ).join(listed, listed.c.id == col(Task.id))


def days(today: date) -> Mapping[str, date]:
    """The parameters of ROWS: what `schedule` is reckoned against."""
    return {"today": today, "soon": _soon(today)}


def _soon(today: date) -> date:
    return today + timedelta(days=DUE_SOON_DAYS)


def documents(session: Session, task_ids: Sequence[Any], today: date) -> dict[Any, str]:
    """The documents of these tasks (TaskPublic as JSON text), by task id."""
    if not task_ids:
        return {}
    statement = ROWS.where(among(session.get_bind().dialect, col(Task.id), task_ids))
    rows = session.connection().execute(statement, days(today)).all()
    return {task_id: document for document, _created_at, task_id in rows}


def publics(session: Session, tasks: Sequence[Task], today: date) -> list[TaskPublic]:
    found = documents(session, [task.id for task in tasks], today)
    return [TaskPublic.model_validate_json(found[task.id]) for task in tasks]


def public(session: Session, task: Task, today: date) -> TaskPublic:
    return publics(session, [task], today)[0]
