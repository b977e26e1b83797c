"""The summary's aggregates. They come from the rollup (app.dashboard.tally), whose cells every
write keeps exact, so a summary reads a few thousand rows however many tasks there are; where
it cannot (no rollup built yet, or a summary for one owner: the rollup keeps no pairs of
owners) the same cells are counted from the tasks by the statements that build the rollup.
What depends on the day is reckoned here: `overdue` moves from the rollup's day to today by
the open work due in between, and `due_soon` is counted from the tasks due within a week."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, FromClause, Select, and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.dashboard import tally
from app.models import TASK_DONE, Commitment, OwnerRole, OwnerTally, Task, TaskOwner, TaskTally
from app.models import TaskStatus as S
from app.tasks.documents import DUE_SOON_DAYS
from app.tasks.schemas import Schedule

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Scope:
    """What the summary covers: every task, or those of one plan and/or one owner."""

    today: date
    plan_id: UUID | None = None
    organisation_id: UUID | None = None
    empty: bool = False  # an unknown plan or organisation: nothing matches (as GET /tasks)


@dataclass
class Tally:
    tasks: int = 0
    by_status: Counter[S] = field(default_factory=Counter)
    by_schedule: Counter[Schedule] = field(default_factory=Counter)
    progress: int = 0
    counted: int = 0  # tasks that count towards completion: all but cancelled

    def add(self, status: S, schedules: dict[Schedule, int], number: int, progress: int) -> None:
        self.tasks += number
        self.by_status[status] += number
        self.by_schedule.update(schedules)
        if status is not S.cancelled:
            self.counted += number
            self.progress += progress

    def merge(self, other: "Tally") -> None:
        self.tasks += other.tasks
        self.by_status.update(other.by_status)
        self.by_schedule.update(other.by_schedule)
        self.progress += other.progress
        self.counted += other.counted

    def counts(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "by_status": {status: self.by_status[status] for status in S},
            "by_schedule": {schedule: self.by_schedule[schedule] for schedule in Schedule},
            "completion": round(self.progress / self.counted, 1) if self.counted else 0.0,
        }


def restrict(statement: Q, scope: Scope) -> Q:
    """Keep the tasks in scope (a statement that reads `task`)."""
    if scope.plan_id is not None:
        statement = statement.where(col(Task.commitment_id).in_(_planned(scope)))
    if scope.organisation_id is not None:
        owned = select(TaskOwner.task_id).where(
            col(TaskOwner.organisation_id) == scope.organisation_id
        )
        statement = statement.where(col(Task.id).in_(owned))
    return statement


def _planned(scope: Scope) -> Select[Any]:
    return sa_select(col(Commitment.id)).where(col(Commitment.plan_id) == scope.plan_id)


def _rollup_day(session: Session, scope: Scope) -> date | None:
    """The day of the rollup when this summary can be read from it."""
    return None if scope.organisation_id is not None else tally.built_day(session)


def tallies(session: Session, scope: Scope) -> dict[UUID, Tally]:
    """A tally per commitment."""
    day = _rollup_day(session, scope)
    moved, _ = _moved(session, scope, day)
    soon = _due_soon(session, scope)
    found: dict[UUID, Tally] = {}
    for commitment_id, status, number, progress, undated, overdue in session.connection().execute(
        _task_cells(scope, day)
    ):
        status = S(status)
        if status in TASK_DONE:
            schedules = {Schedule.done: number}
        else:
            key = (commitment_id, status)
            overdue += moved[key][3] if key in moved else 0
            schedules = _open_schedules(number, undated, overdue, soon.get(key, 0))
        found.setdefault(commitment_id, Tally()).add(status, schedules, number, progress or 0)
    return found


def _open_schedules(number: int, undated: int, overdue: int, soon: int) -> dict[Schedule, int]:
    """The schedules of open work (as app.tasks.documents reckons them), the rest on track."""
    return {
        Schedule.no_due_date: undated,
        Schedule.overdue: overdue,
        Schedule.due_soon: soon,
        Schedule.on_track: number - undated - overdue - soon,
    }


def _task_cells(scope: Scope, day: date | None) -> Select[Any]:
    if day is None:
        return restrict(tally.task_cells(scope.today), scope)
    cells = sa_select(
        *(getattr(TaskTally, name) for name in tally.TASK_KEYS + tally.TASK_VALUES)
    ).where(col(TaskTally.tasks) > 0)
    if scope.plan_id is not None:
        cells = cells.where(col(TaskTally.commitment_id).in_(_planned(scope)))
    return cells


def _moved(session: Session, scope: Scope, day: date | None) -> tuple[tally.Cells, tally.Cells]:
    """How `overdue` changed from the rollup's day to today."""
    if day is None or day == scope.today:
        return {}, {}
    within = restrict(sa_select(col(Task.id)), scope).whereclause
    return tally.moved_overdue(session, day, scope.today, within=within)


def _due_soon(session: Session, scope: Scope) -> dict[tuple[UUID, S], int]:
    """Open work due within the week, by commitment and status."""
    due = col(Task.due_date)
    soon = scope.today + timedelta(days=DUE_SOON_DAYS)
    statement = (
        sa_select(col(Task.commitment_id), col(Task.status), func.count())
        .where(col(Task.status).not_in(TASK_DONE), due >= scope.today, due <= soon)
        .group_by(col(Task.commitment_id), col(Task.status))
    )
    rows = session.connection().execute(restrict(statement, scope))
    return {(commitment_id, S(status)): number for commitment_id, status, number in rows}


def by_organisation(session: Session, scope: Scope) -> dict[UUID, Counter[str]]:
    """Counts per owner organisation: tasks, lead, open, overdue, slipped, done, slips."""
    day = _rollup_day(session, scope)
    _, moved = _moved(session, scope, day)
    late: Counter[tuple[UUID, str]] = Counter()
    for (organisation_id, role, *_rest), amounts in moved.items():
        late[(organisation_id, role)] += amounts[1]
    counts: dict[UUID, Counter[str]] = {}
    rows = session.connection().execute(_owner_totals(_owner_cells(scope, day), scope))
    for organisation_id, role, number, done, overdue, slipped, slips in rows:
        found = counts.setdefault(organisation_id, Counter())
        overdue += late[(organisation_id, role)]
        found.update(
            tasks=number,
            open=number - done,
            overdue=overdue,
            slipped=slipped,
            done=done,
            slips=slips,
        )
        found["lead"] += number if role == OwnerRole.lead else 0
    return counts


def _owner_cells(scope: Scope, day: date | None) -> FromClause:
    if day is None:
        return restrict(tally.owner_cells(scope.today), scope).subquery("cells")
    return OwnerTally.__table__  # type: ignore[attr-defined,no-any-return]


def _owner_totals(cells: FromClause, scope: Scope) -> Select[Any]:
    """Per organisation and role, from cells with OwnerTally's columns; open work slipped when
    it is (or will be) done after its commitment's target year, and the due-date moves to a
    later day (task.slips) of the work owned."""
    c, target = cells.c, col(Commitment.target_year)
    late = or_(c.due_year > target, target < scope.today.year)
    slipped = and_(~c.done, target.is_not(None), late)
    statement = (
        sa_select(
            c.organisation_id,
            c.role,
            func.sum(c.tasks),
            _sum_where(c.done, c.tasks),
            func.sum(c.overdue),
            _sum_where(slipped, c.tasks),
            func.sum(c.slips),
        )
        .join_from(cells, Commitment, col(Commitment.id) == c.commitment_id)
        .group_by(c.organisation_id, c.role)
        .having(func.sum(c.tasks) > 0)
    )
    if scope.plan_id is not None:
        statement = statement.where(col(Commitment.plan_id) == scope.plan_id)
    return statement


def _sum_where(condition: ColumnElement[bool], amount: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)
