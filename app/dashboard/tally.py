"""The summary's rollup (app.models.tally), kept exact in the writing transaction.

Every flush that adds, changes or removes a task or an owner moves the cells of the tasks it
touches: their contribution is read before the flush and again after it, and the difference
is added. Following the flush, rather than the service's functions, keeps every ORM write
exact: the API's, and a test's factory too. Bulk statements of known tasks (the importer's)
call `add_difference`, which does the same for them. Other statements that bypass the ORM
(a bulk load, a repair in SQL) must call `recount` (`pantau summary recount`). Until the first
task write of a unit of work that knows its day (app.db.work_day: every request, the importer)
builds them (`keep_up`), there are no tallies and the summary counts the tasks themselves.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    case,
    cast,
    delete,
    event,
    extract,
    func,
    insert,
    inspect,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import Session as SQLModelSession
from sqlmodel import col

from app.changes import service as changes
from app.db import execute_prepared, prepare, work_day
from app.models import TASK_DONE, OwnerTally, TallyDay, Task, TaskOwner, TaskTally
from app.models import TaskStatus as S

SCOPE = "tasks"
PENDING = "pantau_tally"
# The task columns a contribution depends on: a change of title or priority moves nothing.
COUNTED = ("commitment_id", "status", "progress", "due_date", "slips")
TASK_KEYS = ("commitment_id", "status")
TASK_VALUES = ("tasks", "progress", "undated", "overdue")
OWNER_KEYS = ("organisation_id", "role", "commitment_id", "done", "due_year")
OWNER_VALUES = ("tasks", "overdue", "slips")
Cells = dict[tuple[Any, ...], list[int]]
# (tasks, owners) as `contributions` reads them
Counted = tuple[Sequence[Sequence[Any]], Sequence[Sequence[Any]]]


def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def task_cells(day: date) -> Select[Any]:
    """TaskTally's rows counted from the tasks, `overdue` as of `day`."""
    status, due = col(Task.status), col(Task.due_date)
    open_work = status.not_in(TASK_DONE)
    kept = case((status == S.completed, 100), else_=col(Task.progress))
    return sa_select(
        col(Task.commitment_id).label("commitment_id"),
        status.label("status"),
        func.count().label("tasks"),
        func.coalesce(func.sum(kept), 0).label("progress"),
        count_of(and_(open_work, due.is_(None))).label("undated"),
        count_of(and_(open_work, due < day)).label("overdue"),
    ).group_by(col(Task.commitment_id), status)


def owner_cells(day: date) -> Select[Any]:
    """OwnerTally's rows counted from the tasks and their owners, `overdue` as of `day`."""
    due, done = col(Task.due_date), col(Task.status).in_(TASK_DONE)
    due_year = case((done | due.is_(None), 0), else_=cast(extract("year", due), Integer))
    keys = (
        col(TaskOwner.organisation_id),
        col(TaskOwner.role),
        col(Task.commitment_id),
        done,
        due_year,
    )
    labelled: list[Any] = [key.label(name) for key, name in zip(keys, OWNER_KEYS, strict=True)]
    return (
        sa_select(
            *labelled,
            func.count().label("tasks"),
            count_of(~done & (due < day)).label("overdue"),
            func.coalesce(func.sum(col(Task.slips)), 0).label("slips"),
        )
        .select_from(Task)
        .join(TaskOwner, col(TaskOwner.task_id) == col(Task.id))
        .group_by(*keys)
    )


# -- the day the tallies are reckoned at ------------------------------------------------------


def built_day(session: Session, *, lock: bool = False) -> date | None:
    """The tallies' day, or None while they are not built."""
    statement = sa_select(col(TallyDay.day)).where(col(TallyDay.scope) == SCOPE)
    if lock:  # writers of the tallies take turns (FOR UPDATE; SQLite has one writer anyway)
        statement = statement.with_for_update()
    day: date | None = session.connection().execute(statement).scalar()
    return day


def keep_up(session: Session) -> date | None:
    """Before a task write: the tallies' day, once they are built (the first time) and brought
    to the day of the session's work; None while they are not built and the day is unknown."""
    return _kept_up(session)[0]


def _kept_up(session: Session) -> tuple[date | None, bool]:
    """`keep_up`, and whether it built the tallies from the tasks as they are now."""
    day = built_day(session, lock=True)
    today = work_day(session)
    if today is None or (day is not None and day >= today):
        return day, False
    if day is None:
        _claim(session)
        day = built_day(session, lock=True)  # a writer that got here first has built them
        if day is None:
            rebuild(session, today)
            return today, True
    _apply(session, *moved_overdue(session, day, today))
    _set_day(session, today)
    return today, False


@dataclass(frozen=True)
class Difference:
    """What writes of many tasks move in the cells, reckoned before their transaction starts
    (`difference`) and added while writing (`add_difference`)."""

    before: Counted
    after: Counted
    day: date | None  # the day the cells are reckoned on (None: none reckoned)
    cells: tuple[Cells, Cells]


def difference(before: Counted, after: Counted, day: date | None) -> Difference:
    """For writes of many tasks in statements that bypass the ORM (an import's): what they take
    away from each cell and add to it, as the flush does for each ORM write. Each side is
    (tasks, owners) as `contributions` reads them; `before` must be what the database holds
    when they are written, which a writer that locks the tasks and checks their versions
    knows. Reckoned on `day` (the work's day, which the tallies are brought to when they are
    older): reading and locking nothing, it runs before the writing transaction."""
    cells = _sum(cells_of(*before, day, -1), cells_of(*after, day)) if day else ({}, {})
    return Difference(before, after, day, cells)


def add_difference(session: Session, moved: Difference) -> None:
    """Add a `difference` to the cells. This takes the tallies' lock, which every task writer
    takes after its tasks' rows and before the change feed's (app.changes.bump): a bulk
    writer calls it after writing its tasks, right before its feed rows."""
    day, built = _kept_up(session)
    if day is None or built:  # built from the tasks as written: they count already
        return
    cells = moved.cells if day == moved.day else difference(moved.before, moved.after, day).cells
    _apply(session, *cells)


def recount(session: SQLModelSession, today: date) -> None:
    """Count every cell again after writes made around the ORM, and move the data version:
    answers and ETags given for the older counts (the poll fast path keeps both) are not
    valid any more, on any replica."""
    rebuild(session, today)
    changes.bump(session)


def rebuild(session: Session, today: date) -> None:
    """Count every cell from the tasks (the first time; after writes around the ORM, recount)."""
    connection = session.connection()
    connection.execute(delete(TaskTally))
    connection.execute(delete(OwnerTally))
    for model, names, cells in (
        (TaskTally, TASK_KEYS + TASK_VALUES, task_cells(today)),
        (OwnerTally, OWNER_KEYS + OWNER_VALUES, owner_cells(today)),
    ):
        connection.execute(insert(model).from_select(names, cells))
    _claim(session)
    _set_day(session, today)


def _claim(session: Session) -> None:
    claim = _dialect(session).insert(TallyDay).values(scope=SCOPE, day=None)
    session.connection().execute(claim.on_conflict_do_nothing(index_elements=["scope"]))


def _set_day(session: Session, day: date) -> None:
    statement = update(TallyDay).where(col(TallyDay.scope) == SCOPE).values(day=day)
    session.connection().execute(statement)


# -- contributions ----------------------------------------------------------------------------


def contributions(
    session: Session, where: ColumnElement[bool]
) -> tuple[Sequence[Row[*tuple[Any, ...]]], Sequence[Row[*tuple[Any, ...]]]]:
    """The tasks matching `where` and their owners, as the cells need them."""
    connection = session.connection()
    tasks = connection.execute(
        sa_select(
            col(Task.id),
            col(Task.commitment_id),
            col(Task.status),
            col(Task.progress),
            col(Task.due_date),
            col(Task.slips),
        ).where(where)
    ).all()
    owners = connection.execute(
        sa_select(col(TaskOwner.task_id), col(TaskOwner.organisation_id), col(TaskOwner.role))
        .join(Task, col(Task.id) == col(TaskOwner.task_id))
        .where(where)
    ).all()
    return tasks, owners


def cells_of(
    tasks: Sequence[Sequence[Any]],
    owners: Sequence[Sequence[Any]],
    day: date,
    sign: int = 1,
) -> tuple[Cells, Cells]:
    """What these tasks add to each cell as of `day` (take away, with sign -1)."""
    task_cells: Cells = defaultdict(lambda: [0, 0, 0, 0])
    placed: dict[UUID, tuple[UUID, bool, int, int, int]] = {}
    for task_id, commitment_id, status, progress, due, slips in tasks:
        done = status in TASK_DONE
        overdue = int(not done and due is not None and due < day)
        kept = 100 if status == S.completed else progress
        amounts = (1, kept, int(not done and due is None), overdue)
        cell = task_cells[(commitment_id, status)]
        for index, amount in enumerate(amounts):
            cell[index] += sign * amount
        due_year = 0 if done or due is None else due.year
        placed[task_id] = (commitment_id, done, due_year, overdue, slips)
    owner_cells: Cells = defaultdict(lambda: [0, 0, 0])
    for task_id, organisation_id, role in owners:
        commitment_id, done, due_year, overdue, slips = placed[task_id]
        cell = owner_cells[(organisation_id, role, commitment_id, done, due_year)]
        cell[0] += sign
        cell[1] += sign * overdue
        cell[2] += sign * slips
    return task_cells, owner_cells


def moved_overdue(
    session: Session, since: date, until: date, *, within: ColumnElement[bool] | None = None
) -> tuple[Cells, Cells]:
    """What `overdue` gains between two days (loses, going back): the open work due in between
    (of the tasks `within`, when given)."""
    low, high = min(since, until), max(since, until)
    due = col(Task.due_date)
    window = and_(col(Task.status).not_in(TASK_DONE), due >= low, due < high)
    tasks, owners = contributions(session, window if within is None else and_(window, within))
    return _sum(cells_of(tasks, owners, until), cells_of(tasks, owners, since, -1))


def _sum(*parts: tuple[Cells, Cells]) -> tuple[Cells, Cells]:
    tasks: Cells = defaultdict(lambda: [0, 0, 0, 0])
    owners: Cells = defaultdict(lambda: [0, 0, 0])
    for part_tasks, part_owners in parts:
        for total, part in ((tasks, part_tasks), (owners, part_owners)):
            for key, amounts in part.items():
                total[key] = [a + b for a, b in zip(total[key], amounts, strict=True)]
    return tasks, owners


# -- writing the cells ------------------------------------------------------------------------


def _apply(session: Session, tasks: Cells, owners: Cells) -> None:
    _add(session, TaskTally, TASK_KEYS, TASK_VALUES, tasks)
    _add(session, OwnerTally, OWNER_KEYS, OWNER_VALUES, owners)


def _add(
    session: Session, model: Any, keys: tuple[str, ...], values: tuple[str, ...], cells: Cells
) -> None:
    # In key order, so two writers never lock the same rows the other way round.
    rows = [
        dict(zip(keys + values, (*key, *amounts), strict=True))
        for key, amounts in sorted(cells.items())
        if any(amounts)
    ]
    if not rows:
        return
    # One statement sent for each cell, not one statement of every cell's values: compiling
    # an import's few thousand cells into one took a tenth of a second, in the tallies' lock.
    insert = _dialect(session).insert(model)
    added = {name: getattr(model, name) + insert.excluded[name] for name in values}
    upsert = insert.on_conflict_do_update(index_elements=list(keys), set_=added)
    connection = session.connection()
    execute_prepared(connection, prepare(connection.dialect, upsert, rows))


def _dialect(session: Session) -> Any:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


# -- following the flush ----------------------------------------------------------------------


def _writes_tasks(session: Session) -> bool:
    return any(
        isinstance(item, Task | TaskOwner)
        for item in (*session.new, *session.dirty, *session.deleted)
    )


def _touched(session: Session) -> set[UUID]:
    found: set[UUID] = set()
    for item in (*session.new, *session.deleted):
        if isinstance(item, Task):
            found.add(item.id)
        elif isinstance(item, TaskOwner):
            found.add(item.task_id)
    for item in session.dirty:
        if isinstance(item, TaskOwner):
            found.add(item.task_id)
        elif isinstance(item, Task) and _counted_change(item):
            found.add(item.id)
    return found


def _counted_change(task: Task) -> bool:
    attributes = inspect(task).attrs
    return any(attributes[name].history.has_changes() for name in COUNTED)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    session.info.pop(PENDING, None)
    if not _writes_tasks(session):
        return
    with session.no_autoflush:
        day = keep_up(session)
        touched = _touched(session)
        if day is None or not touched:
            return  # not built: nothing to keep
        where = col(Task.id).in_(touched)
        session.info[PENDING] = (where, day, cells_of(*contributions(session, where), day, -1))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    where, day, before = pending
    _apply(session, *_sum(before, cells_of(*contributions(session, where), day)))
