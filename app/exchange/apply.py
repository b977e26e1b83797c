"""One import row, applied through the task services as the API would apply it.

A row without an id creates a task; a row with one updates that task, with its version as the
precondition. A status differing from the task's goes through a transition, after the other
fields. An empty cell leaves a required field (title, progress, priority) as it is, and clears
an optional one (description, dates, assignee); a column the file lacks changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.errors import AppError, NotFound
from app.exchange.cells import Problem, Row
from app.exchange.problems import Owners, explained, failure
from app.i18n import N_
from app.models import TASK_DONE, OwnerRole, Task, TaskStatus, User
from app.tasks import progress, references
from app.tasks import service as tasks
from app.tasks.schemas import TaskCreate, TaskUpdate

KEPT_WHEN_EMPTY = ("title", "progress", "priority")
CLEARED_WHEN_EMPTY = ("start_date", "due_date")


@dataclass(frozen=True)
class Context:
    session: Session
    actor: User
    now: datetime
    today: date


def _owners(row: Row, current: Owners) -> Owners:
    """The owners the row names; a column the file lacks keeps the task's current ones."""
    lead = [owner for owner in current if owner["role"] == OwnerRole.lead]
    support = [owner for owner in current if owner["role"] == OwnerRole.support]
    if row.has("lead_owner"):
        name = row.get("lead_owner")
        lead = [{"organisation": name, "role": OwnerRole.lead}] if name else []
    if row.has("support_owners"):
        names = row.get("support_owners")
        support = [{"organisation": name, "role": OwnerRole.support} for name in names]
    return lead + support


def _assignee(session: Session, email: str | None) -> UUID | None:
    if email is None:
        return None
    found = session.exec(select(User.id).where(col(User.email) == email)).first()
    if found is None:
        raise failure(Problem("assignee_email", N_("No user with this e-mail address.")))
    return found


def create_row(ctx: Context, row: Row) -> UUID:
    required = ("commitment", "title")
    problems = [Problem(column, N_("Required.")) for column in required if not row.get(column)]
    owners = _owners(row, [])
    if not owners:
        problems.append(Problem("lead_owner", N_("A task needs a lead_owner or support_owners.")))
    if problems:
        raise failure(*problems)
    optional = ("description", "start_date", "due_date", "priority", "progress")
    fields = {column: row.get(column) for column in optional if row.get(column) is not None}
    _leave_completion_to_transition(fields, row.get("status"))
    assignee_id = _assignee(ctx.session, row.get("assignee_email"))
    try:
        data = TaskCreate.model_validate(
            {"commitment": row.get("commitment"), "title": row.get("title"), **fields}
            | {"owners": owners, "assignee_id": assignee_id}
        )
        created = tasks.create(ctx.session, data, actor=ctx.actor, now=ctx.now, today=ctx.today)
    except (ValidationError, AppError) as error:
        raise explained(error, owners) from error
    status = row.get("status")
    if status is not None and status is not TaskStatus.not_started:
        _transition(ctx, tasks.get(ctx.session, str(created.id)), status, row.get("note"))
    return created.id


def update_row(ctx: Context, row: Row, task_id: UUID) -> bool:
    """True when the task changed."""
    task = _locked(ctx, task_id, row.get("version"))
    before = task.version
    _check_commitment(ctx, task, row.get("commitment"))
    current = [
        {"organisation": organisation.code, "role": role}
        for organisation, role in references.current_owners(ctx.session, task)
    ]
    owners = _owners(row, current)
    status = row.get("status")
    if status is not None and status is not task.status and task.status in TASK_DONE:
        _transition(ctx, task, status, row.get("note"))  # reopen first: done tasks stand still
    fields = _changes(ctx, task, row, owners)
    _leave_completion_to_transition(fields, status)
    if fields:
        try:
            reason = row.get("due_date_reason") if "due_date" in fields else None
            data = TaskUpdate.model_validate(
                {**fields, "note": row.get("note"), "due_date_reason": reason}
            )
            tasks.update(ctx.session, task, data, actor=ctx.actor, now=ctx.now, today=ctx.today)
        except (ValidationError, AppError) as error:
            raise explained(error, owners) from error
    if status is not None and status is not task.status:
        _transition(ctx, task, status, row.get("note"))
    return task.version != before


def _leave_completion_to_transition(fields: dict[str, Any], status: TaskStatus | None) -> None:
    """A row that completes its task may say 100 (an export does): the transition sets it."""
    if status is TaskStatus.completed and fields.get("progress") == progress.COMPLETE:
        del fields["progress"]


def _locked(ctx: Context, task_id: UUID, version: int | None) -> Task:
    try:
        task = tasks.get(ctx.session, str(task_id), for_update=True)
    except NotFound:
        raise failure(Problem("id", N_("No task with this id."))) from None
    try:
        tasks.ensure_writer(ctx.session, task, ctx.actor)
    except AppError as error:
        raise explained(error, []) from error
    if version is None:
        raise failure(Problem("version", N_("An update needs the task's version, as exported.")))
    if version != task.version:
        stale = {"sent": version, "current": task.version}
        raise failure(
            Problem(
                "version",
                N_(
                    "The task has changed since version {sent}; it is at version {current}: "
                    "export it again."
                ),
                stale,
            )
        )
    return task


def _check_commitment(ctx: Context, task: Task, ref: str | None) -> None:
    if ref is None:
        return
    try:
        commitment = references.commitment(ctx.session, ref)
    except AppError as error:
        raise explained(error, []) from error
    if commitment.id != task.commitment_id:
        raise failure(
            Problem(
                "commitment",
                N_("A task cannot move to another commitment: create a new task instead."),
            )
        )


def _same_text(new: str | None, old: str | None) -> bool:
    """Equal once line breaks are alike: XLSX keeps CRLF as LF, and no text is no text."""
    return (new or "").replace("\r\n", "\n") == (old or "").replace("\r\n", "\n")


def _changes(ctx: Context, task: Task, row: Row, owners: Owners) -> dict[str, Any]:
    """The TaskUpdate fields of the row; the task service leaves out those that are equal."""
    fields = {column: row.get(column) for column in KEPT_WHEN_EMPTY if row.get(column) is not None}
    fields |= {column: row.get(column) for column in CLEARED_WHEN_EMPTY if row.has(column)}
    if row.has("description") and not _same_text(row.get("description"), task.description):
        fields["description"] = row.get("description")
    if row.has("assignee_email"):
        fields["assignee_id"] = _assignee(ctx.session, row.get("assignee_email"))
    if row.has("lead_owner") or row.has("support_owners"):
        if not owners:
            raise failure(Problem("lead_owner", N_("A task needs a lead_owner or support_owners.")))
        fields["owners"] = owners
    return fields


def _transition(ctx: Context, task: Task, status: TaskStatus, note: str | None) -> None:
    try:
        tasks.transition(
            ctx.session, task, status, note, actor=ctx.actor, now=ctx.now, today=ctx.today
        )
    except AppError as error:
        raise explained(error, [], column="status") from error
