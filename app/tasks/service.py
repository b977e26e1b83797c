"""Writing tasks. Every write records history and a change-feed row (app.audit.record) and a
domain event in the caller's transaction; nothing here commits."""

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, overload
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Select, bindparam, insert
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, col, select

from app import audit, events
from app.changes import service as changes
from app.db import Prepared, among, execute_prepared, prepare
from app.errors import Forbidden, NotFound, invalid
from app.history import service as history
from app.i18n import N_
from app.models import Commitment, History, Role, Task, TaskOwner, TaskStatus, User
from app.plans.service import coordinates
from app.tasks import progress, query, references, transitions
from app.tasks.documents import days, documents, feed_rows
from app.tasks.query import ENTITY
from app.tasks.references import ResolvedOwners
from app.tasks.schemas import HistoryPublic, TaskCreate, TaskPublic, TaskUpdate
from app.users import visibility

OTHER_ORGANISATION = N_("This task is owned by other organisations than yours.")
NOT_COORDINATED = N_("This task belongs to a plan you do not coordinate.")

# What a contributor may send in a PATCH; everything else is a coordinator's.
CONTRIBUTOR_FIELDS = frozenset({"progress", "note", "version"})
REOPENERS = frozenset({Role.coordinator, Role.admin})
# Changes kept in history only: owners are written apart, a reason has no column.
RECORDED_ONLY = frozenset({"owners", "due_date_reason"})


def get(session: Session, ref: str, *, for_update: bool = False) -> Task:
    """The task of a URL id. Writers lock its row, so the If-Match check and the write that
    follows it see the same version (no lost update between two PATCHes)."""
    task = session.get(
        Task, query.parse_id(ref), with_for_update=for_update, populate_existing=for_update
    )
    if task is None:
        raise NotFound(ENTITY)
    return task


def ensure_writer(session: Session, task: Task, user: User) -> None:
    """A contributor writes only to tasks that its organisation owns (lead or support), and one
    that a coordinator created only in that coordinator's plans; a coordinator only to tasks
    of the plans it coordinates (admins everywhere)."""
    if user.role is Role.coordinator:
        ensure_coordinates(session, session.get(Commitment, task.commitment_id), user)
    if user.role is not Role.contributor:
        return
    if (
        user.organisation_id is None
        or session.get(TaskOwner, (task.id, user.organisation_id)) is None
    ):
        raise Forbidden(OTHER_ORGANISATION)
    creator = visibility.creating_coordinator(session, user)
    if creator is not None and not coordinates(session, _plan_id(session, task), creator):
        raise Forbidden(
            N_(
                "Your account was created by a plan coordinator: you work on the tasks of the "
                "plans that coordinator coordinates. Ask an admin for an account with a wider "
                "reach."
            )
        )


def _plan_id(session: Session, task: Task) -> UUID:
    return session.get_one(Commitment, task.commitment_id).plan_id


def ensure_coordinates(session: Session, commitment: Commitment | None, user: User) -> None:
    """Owners a coordinator names never widen its reach: the plan is what counts."""
    if user.role is Role.admin:
        return
    if commitment is None or not coordinates(session, commitment.plan_id, user.id):
        raise Forbidden(NOT_COORDINATED)


def ensure_patchable(data: TaskUpdate, user: User, task_id: UUID) -> None:
    if "status" in data.model_fields_set:
        raise invalid(
            "status",
            N_("Status is changed with POST /tasks/{task_id}/transitions, not with PATCH."),
            task_id=task_id,
        )
    if user.role is Role.contributor:
        refused = data.model_fields_set - CONTRIBUTOR_FIELDS
        if refused:
            raise Forbidden(
                N_("A contributor may change only progress, not: {fields}."),
                fields=", ".join(sorted(refused)),
            )


def _record(
    session: Session,
    task: Task,
    *,
    action: str,
    event: str,
    actor: User,
    now: datetime,
    today: date,
    changed: dict[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
    extra: dict[str, Any] | None = None,
) -> TaskPublic:
    """Record a write of the task (history and the change feed, with the representation it
    now has) and publish its event."""
    session.flush()
    public = query.public(session, task, today)
    data = public.model_dump(mode="json")
    audit.record(
        session,
        entity=ENTITY,
        entity_id=task.id,
        action=action,
        version=task.version,
        data=data,
        actor_id=actor.id,
        now=now,
        changed=changed,
        note=note,
    )
    events.publish(session, event, {"task": data, **(extra or {})}, now)
    return public


def create(
    session: Session, data: TaskCreate, *, actor: User, now: datetime, today: date
) -> TaskPublic:
    commitment = references.commitment(session, data.commitment)
    ensure_coordinates(session, commitment, actor)
    if data.progress:
        progress.check(TaskStatus.not_started, data.progress)
    owners = references.resolve_owners(session, data.owners)
    references.check_assignee(session, data.assignee_id)
    references.check_dates(data.start_date, data.due_date)
    fields = data.model_dump(exclude={"commitment", "owners"})
    task = Task(
        **fields, commitment_id=commitment.id, created_at=now, updated_at=now, activity_at=now
    )
    session.add(task)
    session.flush()
    references.set_owners(session, task, owners)
    event = events.TASK_CREATED
    return _record(session, task, action="created", event=event, actor=actor, now=now, today=today)


@dataclass(frozen=True)
class CheckedChange:
    """A PATCH body checked against the task as it is (`check_change`), for `apply_change`."""

    data: TaskUpdate
    fields: dict[str, tuple[Any, Any]]  # the columns it changes, old -> new
    moved: dict[str, tuple[Any, Any]]  # a due-date move's reason and slip (due_date_move)
    owners: ResolvedOwners | None  # the owners it names, found; None: not named


def check_change(session: Session, task: Task, data: TaskUpdate) -> CheckedChange:
    """The body checked against the task as it is (422) before its precondition is weighed
    (412): a change that no version makes valid is refused as such. The PATCH's dependency
    checks it so and passes it on to `apply_change`."""
    fields = _field_changes(session, task, data)
    moved = due_date_move(task, fields, data.due_date_reason)
    owners = None if data.owners is None else references.resolve_owners(session, data.owners)
    return CheckedChange(data, fields, moved, owners)


def _field_changes(session: Session, task: Task, data: TaskUpdate) -> dict[str, tuple[Any, Any]]:
    fields = data.model_dump(
        exclude_unset=True, exclude={"version", "note", "status", "owners", "due_date_reason"}
    )
    if "assignee_id" in fields:
        references.check_assignee(session, fields["assignee_id"])
    references.check_dates(
        fields.get("start_date", task.start_date), fields.get("due_date", task.due_date)
    )
    changed = history.diff(task.model_dump(include=set(fields)), fields)
    if "progress" in changed:
        progress.check(task.status, changed["progress"][1])
    return changed


def update(
    session: Session, task: Task, data: TaskUpdate, *, actor: User, now: datetime, today: date
) -> TaskPublic:
    """Check the fields sent (`check_change`) and apply them (the pages' forms, an import)."""
    checked = check_change(session, task, data)
    return apply_change(session, task, checked, actor=actor, now=now, today=today)


def apply_change(
    session: Session,
    task: Task,
    checked: CheckedChange,
    *,
    actor: User,
    now: datetime,
    today: date,
) -> TaskPublic:
    """Apply a checked body; a PATCH that changes nothing writes nothing (no new version)."""
    changed = dict(checked.fields)
    if checked.owners is not None:
        before = references.owner_record(references.current_owners(session, task))
        if references.owner_record(checked.owners) != before:
            references.set_owners(session, task, checked.owners)
            changed["owners"] = (before, references.owner_record(checked.owners))
    if not changed:
        return query.public(session, task, today)
    changed |= checked.moved
    if "progress" in changed:
        task.activity_at = now  # progress is activity: it resets the escalation clock
    _apply(task, changed, now=now)
    return _record(
        session,
        task,
        action="updated",
        event=events.TASK_UPDATED,
        actor=actor,
        now=now,
        today=today,
        changed=changed,
        note=checked.data.note,
        extra={"fields": sorted(changed)},
    )


def due_date_move(
    task: Task, changed: dict[str, tuple[Any, Any]], reason: str | None
) -> dict[str, tuple[Any, Any]]:
    """Deadlines explain themselves: moving a due date that was set (later, earlier or away)
    needs a reason, which history keeps beside old -> new; a move to a later day is a slip.
    Setting a first due date needs none."""
    old, new = changed.get("due_date", (None, None))
    if old is None:
        return {}
    if reason is None:
        message = N_("The due date {old} moves: say why in due_date_reason.")
        raise invalid("due_date_reason", message, old=old.isoformat())
    found: dict[str, tuple[Any, Any]] = {"due_date_reason": (None, reason)}
    if new is not None and new > old:
        found["slips"] = (task.slips, task.slips + 1)
    return found


def _apply(task: Task, changed: dict[str, tuple[Any, Any]], *, now: datetime) -> None:
    """Set the changed fields (owners are written apart) and move the version."""
    for field, (_old, new) in changed.items():
        if field not in RECORDED_ONLY:
            setattr(task, field, new)
    audit.bump(task, now=now)


def transition(
    session: Session,
    task: Task,
    target: TaskStatus,
    note: str | None,
    *,
    actor: User,
    now: datetime,
    today: date,
) -> TaskPublic:
    current = task.status
    transitions.check(current, target, note=note, may_reopen=actor.role in REOPENERS)
    changed: dict[str, tuple[Any, Any]] = {"status": (current, target)}
    changed |= _progress_after(session, task, target)
    task.activity_at = now
    _apply(task, changed, now=now)
    return _record(
        session,
        task,
        action="transition",
        event=events.TASK_STATUS_CHANGED,
        actor=actor,
        now=now,
        today=today,
        changed=changed,
        note=note,
        extra={"from": current.value, "to": target.value, "note": note},
    )


def _progress_after(session: Session, task: Task, target: TaskStatus) -> dict[str, tuple[Any, Any]]:
    """Completing makes progress 100; reopening a completed task gives back its figure from
    before the completion (docs/decisions/0017-progress-follows-status.md)."""
    if target is TaskStatus.completed:
        new = progress.COMPLETE
    elif task.status is TaskStatus.completed:
        new = progress.before_completion(session, task.id)
    else:
        return {}
    return {"progress": (task.progress, new)} if new != task.progress else {}


def delete(session: Session, task: Task, *, actor: User, now: datetime, today: date) -> None:
    """Delete a task; its history stays, and the change feed gets a tombstone. Its owners go
    with it (ON DELETE CASCADE), after the summary's rollup has read them (it follows the flush)."""
    last = query.public(session, task, today).model_dump(mode="json")
    session.delete(task)
    audit.record(
        session,
        entity=ENTITY,
        entity_id=task.id,
        action="deleted",
        version=task.version + 1,
        data=None,
        actor_id=actor.id,
        now=now,
    )
    events.publish(session, events.TASK_DELETED, {"task": last}, now)


def add_note(
    session: Session, task: Task, note: str, *, actor: User, now: datetime, today: date
) -> HistoryPublic:
    """A remark or evidence on the record. It is not part of the task's representation, so the
    task keeps its version; the feed row lets followers of the history know there is more."""
    audit.record(
        session,
        entity=ENTITY,
        entity_id=task.id,
        action="note",
        version=task.version,
        data=query.public(session, task, today).model_dump(mode="json"),
        actor_id=actor.id,
        now=now,
        note=note,
        feed_action="noted",
    )
    session.flush()
    # The task row is locked (see get), so the newest note of this task is the one just added.
    row = session.exec(
        select(History)
        .where(col(History.entity) == ENTITY, col(History.entity_id) == task.id)
        .order_by(col(History.id).desc())
        .limit(1)
    ).one()
    return query.history_public(row, {actor.id: actor.name})


# -- many tasks at once (an import) -------------------------------------------------------------


@dataclass
class Step:
    """One change of a task as history records it: created, updated or a transition."""

    action: str
    changed: dict[str, tuple[Any, Any]] | None
    note: str | None


@dataclass
class TaskWrite:
    """A task as a bulk write leaves it, checked beforehand against the rules above (the
    importer's planning), and what history and the events say of it."""

    task: Task  # not in any session: its fields as they will be
    expected: int | None  # the version the checks saw; None for a new task
    owners: ResolvedOwners | None  # the owners as they will be; None: as they are
    steps: list[Step] = dataclasses.field(default_factory=list)
    # (event type, the payload besides "task", which the written task's document fills in)
    published: list[events.Event] = dataclasses.field(default_factory=list)


MUTABLE = (
    "title",
    "description",
    "status",
    "progress",
    "start_date",
    "due_date",
    "slips",
    "priority",
    "assignee_id",
    "activity_at",
    "reminder_policy",
    "version",
    "updated_at",
)


def moved_versions(session: Session, expected: dict[UUID, int]) -> dict[UUID, int | None]:
    """Lock the rows of these tasks (as `get` does for one) and give those whose version is no
    longer the one expected, with their version now (None: deleted meanwhile)."""
    if not expected:
        return {}
    dialect = session.get_bind().dialect
    statement = (
        select(col(Task.id), col(Task.version))
        .where(among(dialect, col(Task.id), list(expected)))
        .with_for_update()
    )
    found: dict[UUID, int] = dict(session.connection().execute(statement).all())
    return {
        task_id: found.get(task_id) for task_id, v in expected.items() if found.get(task_id) != v
    }


@dataclass
class Batch:
    """The statements of a bulk write, their rows converted for the driver by `prepare_many`
    before its transaction starts: Python converts them while the write holds no lock."""

    writes: list[TaskWrite]
    created: Prepared
    updated: list[Prepared]  # one statement for each set of columns that the updates change
    owned: list[UUID]  # the tasks whose owners are replaced (new tasks have none to delete)
    owners: Prepared
    history: Prepared
    now: datetime


@dataclass
class Written:
    """What `write_many` leaves to `finish_many`: the change feed's rows (one per task, its
    last version, in the order written; their documents made by the database as they are
    inserted) and the version scopes the events' subscribers moved."""

    feed: Select[Any] | None
    count: int
    parameters: Mapping[str, Any]
    moved: set[str]


def prepare_many(session: Session, writes: list[TaskWrite], *, actor: User, now: datetime) -> Batch:
    """The statements that writing tasks checked beforehand takes (`write_many`), with the
    history `create`, `update` and `transition` record for each, step by step. Reads nothing:
    the session gives the dialect only."""
    dialect = session.get_bind().dialect
    steps = [
        history.Entry(
            entity=ENTITY,
            entity_id=write.task.id,
            action=step.action,
            actor_id=actor.id,
            at=now,
            changes=step.changed,
            note=step.note,
        )
        for write in writes
        for step in write.steps
    ]
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for write in writes:
        if write.expected is not None:
            names = _changed_columns(write.task)
            row = {f"new_{name}": getattr(write.task, name) for name in names}
            updates.setdefault(names, []).append({"task_id": write.task.id} | row)
    return Batch(
        writes=writes,
        created=prepare(
            dialect,
            insert(Task),
            [write.task.model_dump() for write in writes if write.expected is None],
        ),
        updated=[prepare(dialect, _update_of(names), rows) for names, rows in updates.items()],
        owned=[
            write.task.id
            for write in writes
            if write.owners is not None and write.expected is not None  # a new task has none
        ],
        owners=prepare(
            dialect,
            insert(TaskOwner),
            [
                {"task_id": write.task.id, "organisation_id": organisation.id, "role": role}
                for write in writes
                for organisation, role in write.owners or []
            ],
        ),
        history=prepare(dialect, insert(History), history.rows_of(steps)),
        now=now,
    )


def _changed_columns(task: Task) -> tuple[str, ...]:
    """The columns a planned update sets: those assigned since the task was read (the ORM
    keeps their values as read), as a flush would. Setting only those spares the indexes on
    the others: SQLite rewrites an index entry when any of its columns is set, and PostgreSQL
    updates in place (HOT) only when no indexed column is."""
    assigned = sa_inspect(task).committed_state
    return tuple(name for name in MUTABLE if name in assigned)


def _update_of(names: tuple[str, ...]) -> sa.Update:
    setting: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
    return sa.update(Task).where(col(Task.id) == bindparam("task_id")).values(setting)


def write_many(session: Session, batch: Batch, *, today: date) -> Written:
    """Write tasks checked beforehand in a few statements: the tasks, their owners, history and
    events (the webhook outbox's rows), and select the change feed's rows, which the database
    makes, documents and all, when `finish_many` inserts them. The caller has locked and
    checked the versions (`moved_versions`); this takes no lock that other writers wait for
    but those tasks' rows. It then adds the summary's difference
    (app.dashboard.tally.add_difference) and ends with `finish_many`: the shared locks come
    last, in the order every writer takes them, and are held for the end of the write only."""
    writes = batch.writes
    if not writes:
        return Written(None, 0, {}, set())
    connection = session.connection()
    execute_prepared(connection, batch.created)
    for updated in batch.updated:
        execute_prepared(connection, updated)
    if batch.owned:
        owned = among(connection.dialect, col(TaskOwner.task_id), batch.owned)
        connection.execute(sa.delete(TaskOwner).where(owned))
    execute_prepared(connection, batch.owners)
    execute_prepared(connection, batch.history)
    written = [
        (write.task.id, "created" if write.expected is None else "updated") for write in writes
    ]
    ids = [task_id for task_id, _ in written]
    published = _Published(
        [(kind, write.task.id, extra) for write in writes for kind, extra in write.published],
        lambda: documents(session, ids, today),
    )
    feed = feed_rows(connection.dialect, ENTITY, written, batch.now)
    moved = events.publish_many(session, published, batch.now)
    return Written(feed, len(written), days(today), moved)


def finish_many(session: Session, written: Written) -> None:
    """The end of a bulk write: the change feed's rows, numbered in one bump and inserted in
    one statement, then the versions the events moved. Their rows stay locked until the
    transaction ends."""
    if written.feed is not None:
        changes.record_selected(session, written.feed, written.count, written.parameters)
    events.settle(session, written.moved)


class _Published(Sequence[events.Event]):
    """A bulk write's events, each one's payload made when it is read: the task's document
    (read for all the tasks at the first payload read), beside what the event says besides.
    A subscriber with nothing to deliver reads none, and then no document is read."""

    def __init__(
        self,
        items: list[tuple[str, UUID, dict[str, Any]]],
        read: Callable[[], dict[Any, str]],
        found: dict[Any, str] | None = None,
    ) -> None:
        self._items, self._read, self._found = items, read, found

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> events.Event: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[events.Event]: ...

    def __getitem__(self, index: int | slice) -> events.Event | Sequence[events.Event]:
        if isinstance(index, slice):
            return _Published(self._items[index], self._documents)
        kind, task_id, extra = self._items[index]
        return kind, {"task": json.loads(self._documents()[task_id]), **extra}

    def _documents(self) -> dict[Any, str]:
        if self._found is None:
            self._found = self._read()
        return self._found
