"""One import row, checked by the task services' rules and planned in memory as the API would
apply it; nothing here writes (app.tasks.service.write_many does, for all rows at once).

A row without an id creates a task; a row with one updates that task, with its version as the
precondition. A status differing from the task's goes through a transition, after the other
fields. An empty cell leaves a required field (title, progress, priority) as it is, and clears
an optional one (description, dates, assignee); a column the file lacks changes nothing.

Everything a row refers to (its task and owners, commitments, organisations, users, the plans
the importer coordinates) is read beforehand for all rows in a few statements (`References`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, col, select

from app import events
from app.db import among, chunks
from app.errors import AppError, Forbidden, invalid
from app.exchange.cells import Problem, Row
from app.exchange.problems import Owners, RowFailure, explained, failure
from app.exchange.schemas import ImportAction
from app.history import service as history
from app.i18n import N_
from app.models import (
    TASK_DONE,
    Commitment,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    PlanCoordinator,
    Role,
    Task,
    TaskOwner,
    TaskStatus,
    User,
)
from app.models.base import new_id
from app.organisations.service import alias_key
from app.tasks import progress, references, transitions
from app.tasks import service as tasks
from app.tasks.references import ResolvedOwners
from app.tasks.schemas import TaskCreate, TaskUpdate

KEPT_WHEN_EMPTY = ("title", "progress", "priority")
CLEARED_WHEN_EMPTY = ("start_date", "due_date")


@dataclass
class References:
    """What the rows of an import refer to, read in a few statements before any row is
    checked. The tasks are detached copies: planning changes them, the database never."""

    commitments: dict[str, Commitment]  # by id and by upper-case code
    commitment_ids: dict[UUID, Commitment]
    organisations: dict[str, Organisation]  # by id, upper-case code and alias key
    users: dict[str, UUID]  # by e-mail address
    coordinated: set[UUID]  # the plans the importer coordinates
    tasks: dict[UUID, Task]
    owners: dict[UUID, ResolvedOwners]
    before_completion: dict[UUID, int]
    # What each task counts in the summary as read, before planning changes it
    # (app.dashboard.tally.contributions: id, commitment, status, progress, due date, slips).
    counted: dict[UUID, tuple[Any, ...]]

    # By code first: a file names things by code, and an id is parsed only when no code matches.
    def commitment(self, ref: str) -> Commitment:
        found = self.commitments.get(ref.upper())
        key = _as_uuid(ref) if found is None else None
        if key is not None:
            found = self.commitment_ids.get(key)
        if found is None:
            raise invalid("commitment", references.NO_COMMITMENT)
        return found

    def organisation(self, ref: str) -> Organisation | None:
        return (
            self.organisations.get(ref.strip().upper())
            or self.organisations.get("alias:" + alias_key(ref))
            or self.organisations.get(str(_as_uuid(ref)))
        )


def _as_uuid(ref: str) -> UUID | None:
    try:
        return UUID(ref)
    except ValueError:
        return None


Counted = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def counted(task: Task) -> tuple[Any, ...]:
    """What a task counts in the summary (app.dashboard.tally.contributions)."""
    return (task.id, task.commitment_id, task.status, task.progress, task.due_date, task.slips)


def contributions(refs: References, writes: list[tasks.TaskWrite]) -> tuple[Counted, Counted]:
    """What these writes' tasks count in the summary before and after them, with their owners
    (tally.contributions): before as read, after as planned."""
    before: Counted = ([], [])
    after: Counted = ([], [])
    for write in writes:
        task = write.task
        if write.expected is not None:
            before[0].append(refs.counted[task.id])
            before[1].extend(
                (task.id, organisation.id, role) for organisation, role in refs.owners[task.id]
            )
        owners = write.owners if write.owners is not None else refs.owners[task.id]
        after[0].append(counted(task))
        after[1].extend((task.id, organisation.id, role) for organisation, role in owners)
    return before, after


def load(session: Session, rows: list[Row], actor: User) -> References:
    """Read what the rows refer to: a handful of statements whatever their number."""
    task_ids = list(dict.fromkeys(row.get("id") for row in rows if row.get("id") is not None))
    emails = list({row.get("assignee_email") for row in rows if row.get("assignee_email")})
    found_tasks: dict[UUID, Task] = {}
    owners: dict[UUID, ResolvedOwners] = {task_id: [] for task_id in task_ids}
    organisations = list(session.exec(select(Organisation)))
    by_id = {organisation.id: organisation for organisation in organisations}
    if task_ids:
        dialect = session.get_bind().dialect
        named = select(Task).where(among(dialect, col(Task.id), task_ids))
        found_tasks = {task.id: task for task in session.exec(named)}
        owned = session.exec(
            select(TaskOwner.task_id, TaskOwner.organisation_id, TaskOwner.role)
            .where(among(dialect, col(TaskOwner.task_id), task_ids))
            .order_by(col(TaskOwner.role), col(TaskOwner.organisation_id))
        )
        for task_id, organisation_id, role in owned:
            owners[task_id].append((by_id[organisation_id], OwnerRole(role)))
    users: dict[str, UUID] = {}
    for chunk in chunks(emails):
        users |= dict(
            session.exec(select(User.email, User.id).where(col(User.email).in_(chunk))).all()
        )
    commitments = list(session.exec(select(Commitment)))
    aliases = session.exec(select(OrganisationAlias.alias_key, OrganisationAlias.organisation_id))
    reopened = [task.id for task in found_tasks.values() if task.status is TaskStatus.completed]
    found = References(
        commitments={c.code.upper(): c for c in commitments},
        commitment_ids={c.id: c for c in commitments},
        organisations={
            **{f"alias:{key}": by_id[organisation_id] for key, organisation_id in aliases},
            **{organisation.code.upper(): organisation for organisation in organisations},
            **{str(organisation.id): organisation for organisation in organisations},
        },
        users=users,
        coordinated=set(
            session.exec(
                select(PlanCoordinator.plan_id).where(col(PlanCoordinator.user_id) == actor.id)
            )
        )
        if actor.id is not None
        else set(),
        tasks=found_tasks,
        owners=owners,
        before_completion={},
        counted={task.id: counted(task) for task in found_tasks.values()},
    )
    for chunk in chunks(reopened):
        found.before_completion |= progress.before_completion_many(session, chunk)
    session.expunge_all()  # planning changes the tasks; nothing of it may be flushed
    return found


@dataclass(frozen=True)
class Context:
    refs: References
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


def _assignee(ctx: Context, email: str | None) -> UUID | None:
    if email is None:
        return None
    found = ctx.refs.users.get(email)
    if found is None:
        raise failure(Problem("assignee_email", N_("No user with this e-mail address.")))
    return found


def _ensure_coordinates(ctx: Context, commitment: Commitment | None) -> None:
    """tasks.ensure_coordinates, on the plans read beforehand (importers are coordinators or
    admins: the rules for contributors do not arise)."""
    if ctx.actor.role is Role.admin:
        return
    if commitment is None or commitment.plan_id not in ctx.refs.coordinated:
        raise Forbidden(tasks.NOT_COORDINATED)


def create_row(ctx: Context, row: Row) -> tasks.TaskWrite:
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
    assignee_id = _assignee(ctx, row.get("assignee_email"))
    try:
        data = TaskCreate.model_validate(
            {"commitment": row.get("commitment"), "title": row.get("title"), **fields}
            | {"owners": owners, "assignee_id": assignee_id}
        )
        write = _created(ctx, data)
    except (ValidationError, AppError) as error:
        raise explained(error, owners) from error
    status = row.get("status")
    if status is not None and status is not TaskStatus.not_started:
        _transition(ctx, write, status, row.get("note"))
    return write


_TASKS = sa_inspect(Task).class_manager
_TASK_FIELDS = frozenset(Task.model_fields)


def _new_task(values: dict[str, Any]) -> Task:
    """A task made as the ORM makes one it loads: its instance state, then every column's
    value. Task(...) would validate each field again (TaskCreate has) and pass each through
    the ORM's attribute events: ten times slower, for the thousands of rows of an import."""
    if values.keys() != _TASK_FIELDS:
        raise AssertionError(f"a new task needs every column: {_TASK_FIELDS ^ values.keys()}")
    task: Task = _TASKS.new_instance()
    task.__dict__.update(values)
    return task


def _created(ctx: Context, data: TaskCreate) -> tasks.TaskWrite:
    """tasks.create, planned."""
    commitment = ctx.refs.commitment(data.commitment)
    _ensure_coordinates(ctx, commitment)
    if data.progress:
        progress.check(TaskStatus.not_started, data.progress)
    owners = references.resolve_owners_with(ctx.refs.organisation, data.owners)
    references.check_dates(data.start_date, data.due_date)
    now = ctx.now
    task = _new_task(
        data.model_dump(exclude={"commitment", "owners"})
        | {"id": new_id(), "commitment_id": commitment.id, "status": TaskStatus.not_started}
        | {"slips": 0, "version": 1}
        | {"created_at": now, "updated_at": now, "activity_at": now}
    )
    write = tasks.TaskWrite(task=task, expected=None, owners=owners)
    write.steps.append(tasks.Step("created", None, None))
    write.published.append((events.TASK_CREATED, {}))
    return write


def update_row(ctx: Context, row: Row, task_id: UUID) -> tasks.TaskWrite:
    task = _found(ctx, task_id, row.get("version"))
    write = tasks.TaskWrite(task=task, expected=task.version, owners=None)
    _check_commitment(ctx, task, row.get("commitment"))
    current = [
        {"organisation": organisation.code, "role": role}
        for organisation, role in ctx.refs.owners.get(task_id, [])
    ]
    owners = _owners(row, current)
    status = row.get("status")
    if status is not None and status is not task.status and task.status in TASK_DONE:
        _transition(ctx, write, status, row.get("note"))  # reopen first: done tasks stand still
    fields = _changes(ctx, task, row, owners)
    _leave_completion_to_transition(fields, status)
    if fields:
        try:
            reason = row.get("due_date_reason") if "due_date" in fields else None
            data = TaskUpdate.model_validate(
                {**fields, "note": row.get("note"), "due_date_reason": reason}
            )
            _updated(ctx, write, data)
        except (ValidationError, AppError) as error:
            raise explained(error, owners) from error
    if status is not None and status is not task.status:
        _transition(ctx, write, status, row.get("note"))
    return write


def _updated(ctx: Context, write: tasks.TaskWrite, data: TaskUpdate) -> None:
    """tasks.update, planned: the fields that differ, the owners when they change."""
    task = write.task
    fields = data.model_dump(
        exclude_unset=True, exclude={"version", "note", "status", "owners", "due_date_reason"}
    )
    references.check_dates(
        fields.get("start_date", task.start_date), fields.get("due_date", task.due_date)
    )
    changed = history.diff(task.model_dump(include=set(fields)), fields)
    if "progress" in changed:
        progress.check(task.status, changed["progress"][1])
    if data.owners is not None:
        now_owned = write.owners if write.owners is not None else ctx.refs.owners[task.id]
        before = references.owner_record(now_owned)
        owners = references.resolve_owners_with(ctx.refs.organisation, data.owners)
        if references.owner_record(owners) != before:
            write.owners = owners
            changed["owners"] = (before, references.owner_record(owners))
    if not changed:
        return
    changed |= tasks.due_date_move(task, changed, data.due_date_reason)
    if "progress" in changed:
        task.activity_at = ctx.now
    _step(ctx, write, "updated", changed, data.note)
    write.published.append((events.TASK_UPDATED, {"fields": sorted(changed)}))


def _step(
    ctx: Context,
    write: tasks.TaskWrite,
    action: str,
    changed: dict[str, tuple[Any, Any]],
    note: str | None,
) -> None:
    """tasks._apply, planned: the fields set, a new version, the history step."""
    for name, (_old, new) in changed.items():
        if name not in tasks.RECORDED_ONLY:
            setattr(write.task, name, new)
    write.task.version += 1
    write.task.updated_at = ctx.now
    write.steps.append(tasks.Step(action, changed, note))


def _leave_completion_to_transition(fields: dict[str, Any], status: TaskStatus | None) -> None:
    """A row that completes its task may say 100 (an export does): the transition sets it."""
    if status is TaskStatus.completed and fields.get("progress") == progress.COMPLETE:
        del fields["progress"]


def _found(ctx: Context, task_id: UUID, version: int | None) -> Task:
    task = ctx.refs.tasks.get(task_id)
    if task is None:
        raise failure(Problem("id", N_("No task with this id.")))
    if ctx.actor.role is Role.coordinator:
        try:
            _ensure_coordinates(ctx, ctx.refs.commitment_ids.get(task.commitment_id))
        except AppError as error:
            raise explained(error, []) from error
    if version is None:
        raise failure(Problem("version", N_("An update needs the task's version, as exported.")))
    if version != task.version:
        raise stale(version, task.version)
    return task


def stale(sent: int, current: int) -> RowFailure:
    return failure(
        Problem(
            "version",
            N_(
                "The task has changed since version {sent}; it is at version {current}: "
                "export it again."
            ),
            {"sent": sent, "current": current},
        )
    )


def _check_commitment(ctx: Context, task: Task, ref: str | None) -> None:
    if ref is None:
        return
    try:
        commitment = ctx.refs.commitment(ref)
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
    """The TaskUpdate fields of the row; planning leaves out those that are equal."""
    fields = {column: row.get(column) for column in KEPT_WHEN_EMPTY if row.get(column) is not None}
    fields |= {column: row.get(column) for column in CLEARED_WHEN_EMPTY if row.has(column)}
    if row.has("description") and not _same_text(row.get("description"), task.description):
        fields["description"] = row.get("description")
    if row.has("assignee_email"):
        fields["assignee_id"] = _assignee(ctx, row.get("assignee_email"))
    if row.has("lead_owner") or row.has("support_owners"):
        if not owners:
            raise failure(Problem("lead_owner", N_("A task needs a lead_owner or support_owners.")))
        fields["owners"] = owners
    return fields


def _transition(ctx: Context, write: tasks.TaskWrite, target: TaskStatus, note: str | None) -> None:
    """tasks.transition, planned."""
    task = write.task
    current = task.status
    try:
        transitions.check(current, target, note=note, may_reopen=ctx.actor.role in tasks.REOPENERS)
    except AppError as error:
        raise explained(error, [], column="status") from error
    changed: dict[str, tuple[Any, Any]] = {"status": (current, target)}
    if target is TaskStatus.completed:
        new = progress.COMPLETE
    elif current is TaskStatus.completed:
        new = ctx.refs.before_completion.get(task.id, progress.REOPENED_DEFAULT)
    else:
        new = task.progress
    if new != task.progress:
        changed["progress"] = (task.progress, new)
    task.activity_at = ctx.now
    _step(ctx, write, "transition", changed, note)
    extra = {"from": current.value, "to": target.value, "note": note}
    write.published.append((events.TASK_STATUS_CHANGED, extra))


def plan_row(ctx: Context, row: Row, seen: dict[UUID, int]) -> tasks.TaskWrite:
    """A row planned: a create without an id, else an update of a task no earlier row named
    (`seen`: the row that named each task so far)."""
    task_id = row.get("id")
    if task_id is None:
        return create_row(ctx, row)
    if task_id in seen:
        raise failure(
            Problem("id", N_("This task is in row {row} already."), {"row": seen[task_id]})
        )
    seen[task_id] = row.number
    return update_row(ctx, row, task_id)


def action(write: tasks.TaskWrite) -> ImportAction:
    """What a planned write does to its task."""
    if write.expected is None:
        return ImportAction.created
    return ImportAction.updated if write.steps else ImportAction.unchanged


def written(writes: Iterable[tasks.TaskWrite]) -> list[tasks.TaskWrite]:
    """The writes that change something: new tasks, and tasks with a step."""
    return [write for write in writes if write.expected is None or write.steps]
