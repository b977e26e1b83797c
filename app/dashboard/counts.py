"""The summary's aggregates: every count is made in SQL, in one pass over the tasks per view
(commitments, organisations), so the cost grows with the number of groups, not of rows read."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, extract, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.models import Commitment, OwnerRole, Task, TaskOwner
from app.models import TaskStatus as S
from app.tasks.query import DUE_SOON_DAYS
from app.tasks.schemas import Schedule
from app.tasks.transitions import DONE

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


def slipped_condition(today: date) -> ColumnElement[bool]:
    """Open work that will miss, or has missed, its commitment's target year."""
    target = col(Commitment.target_year)
    late = or_(extract("year", col(Task.due_date)) > target, target < today.year)
    return and_(col(Task.status).not_in(DONE), target.is_not(None), late)


def restrict(statement: Q, scope: Scope) -> Q:
    if scope.plan_id is not None:
        planned = select(Commitment.id).where(col(Commitment.plan_id) == scope.plan_id)
        statement = statement.where(col(Task.commitment_id).in_(planned))
    if scope.organisation_id is not None:
        owned = select(TaskOwner.task_id).where(
            col(TaskOwner.organisation_id) == scope.organisation_id
        )
        statement = statement.where(col(Task.id).in_(owned))
    return statement


def open_buckets(today: date) -> dict[Schedule, ColumnElement[bool]]:
    """The schedule of work still open, by its due date (app.tasks.query.schedule_of)."""
    due, soon = col(Task.due_date), today + timedelta(days=DUE_SOON_DAYS)
    return {
        Schedule.no_due_date: due.is_(None),
        Schedule.overdue: due < today,
        Schedule.due_soon: and_(due >= today, due <= soon),
        Schedule.on_track: due > soon,
    }


def tallies(session: Session, scope: Scope) -> dict[UUID, Tally]:
    """A tally per commitment. Grouped by the leading columns of ix_task_rollup, with the
    schedules as sums, so the database reads the index in order and sorts nothing."""
    buckets = open_buckets(scope.today)
    kept = case((col(Task.status) == S.completed, 100), else_=col(Task.progress))
    statement = sa_select(
        col(Task.commitment_id),
        col(Task.status),
        func.count(),
        func.sum(kept),
        *(count_of(condition) for condition in buckets.values()),
    ).group_by(col(Task.commitment_id), col(Task.status))
    tallies: dict[UUID, Tally] = {}
    # Plain rows, not ORM objects: a summary reads hundreds of groups.
    for commitment_id, status, number, progress, *spread in session.connection().execute(
        restrict(statement, scope)
    ):
        status = S(status)
        schedules = (
            {Schedule.done: number} if status in DONE else dict(zip(buckets, spread, strict=True))
        )
        tallies.setdefault(commitment_id, Tally()).add(status, schedules, number, progress or 0)
    return tallies


def by_organisation(session: Session, scope: Scope) -> dict[UUID, Counter[str]]:
    """Counts per owner organisation: tasks, lead, open, overdue, slipped, done."""
    done = col(Task.status).in_(DONE)
    statement = (
        sa_select(
            col(TaskOwner.role),
            col(TaskOwner.organisation_id),
            func.count(),
            count_of(~done),
            count_of(and_(~done, col(Task.due_date) < scope.today)),
            count_of(slipped_condition(scope.today)),
            count_of(done),
        )
        .select_from(Task)
        .join(TaskOwner, col(TaskOwner.task_id) == col(Task.id))
        .join(Commitment, col(Commitment.id) == col(Task.commitment_id))
        # Role first: SQLite then walks the tasks' covering index and looks their owners up,
        # instead of looking every task up from its owners (several times slower).
        .group_by(col(TaskOwner.role), col(TaskOwner.organisation_id))
    )
    counts: dict[UUID, Counter[str]] = {}
    for role, organisation_id, *numbers in session.connection().execute(restrict(statement, scope)):
        found = counts.setdefault(organisation_id, Counter())
        found.update(
            dict(zip(("tasks", "open", "overdue", "slipped", "done"), numbers, strict=True))
        )
        found["lead"] += numbers[0] if role == OwnerRole.lead else 0
    return counts


def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
