"""Imports: a table of rows in the export's format, applied all or nothing, in two phases.

Planning reads (`plan_rows`): every row is parsed, what the rows refer to is read for all of them
in a few statements (app.exchange.planner.References), and each row is checked by the task
services' rules and planned in memory; every row error is reported in one answer (422), and a
dry run stops there. It holds no lock and writes nothing, so it runs in a reading session,
however long the file.

Writing (`write`): one short transaction locks the updated tasks, checks that none moved since
planning (a row whose task did fails the import, as it would have when planned), and writes
every row's task, owners, history, change-feed row and events in a few bulk statements
(app.tasks.service.write_many). Only this phase takes the summary's lock and the database's
write lock, so other writers wait for the writing, never for the reading of a file.

A plan matrix (the Perpres annex shape, app.exchange.matrix_import) is planned the same way
(`plan_matrix`): its tasks by the same planner, against its strategies and commitments as the
file leaves them. Its writing (`write_matrix`) first upserts those few strategies and
commitments through their services, then writes the tasks as a task sheet's; a dry run writes
the strategies and commitments in a savepoint it rolls back, to report what they would do.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy import Engine
from sqlmodel import Session

from app.changes import service as changes
from app.collector import paused
from app.dashboard import tally
from app.db import unit_of_work, work_day
from app.exchange import cells, planner
from app.exchange import matrix_import as matrix
from app.exchange.cells import Problem, Row
from app.exchange.columns import IMPORTABLE
from app.exchange.files import Table
from app.exchange.headers import SheetKind
from app.exchange.planner import Context
from app.exchange.problems import ImportInvalid, RowFailure, failure
from app.exchange.schemas import ImportAction, ImportedRow, ImportReport, MatrixReport
from app.i18n import N_
from app.models import User
from app.tasks import service as tasks

Failures = list[tuple[int, RowFailure]]


@dataclass
class Plan:
    """The checked rows of an import and what writing them does."""

    writes: list[tuple[int, tasks.TaskWrite]]  # (row number, the write), in row order
    refs: planner.References
    actor: User
    now: datetime
    today: date
    locale: str

    def report(self, *, dry_run: bool) -> ImportReport:
        done = [_imported(number, write) for number, write in self.writes]
        return _counted(_dry(done, dry_run=dry_run), dry_run=dry_run)


@paused()
def plan_rows(
    session: Session, table: Table, *, actor: User, locale: str, now: datetime, today: date
) -> Plan:
    """Check every row and plan its writes, reading only; 422 listing every row error."""
    header = _header_problems(table.columns)
    if header:
        raise ImportInvalid([(1, failure(*header))], locale)
    failures: Failures = []
    parsed: list[Row] = []
    for number, values in table.rows:
        row, problems = cells.parse(number, values)
        if problems:
            failures.append((number, failure(*problems)))
        else:
            parsed.append(row)
    context = Context(planner.load(session, parsed, actor), actor, now, today)
    seen: dict[UUID, int] = {}
    writes: list[tuple[int, tasks.TaskWrite]] = []
    for row in parsed:
        try:
            write = planner.plan_row(context, row, seen)
        except RowFailure as failed:
            failures.append((row.number, failed))
            continue
        writes.append((row.number, write))
    if failures:
        raise ImportInvalid(sorted(failures, key=lambda item: item[0]), locale)
    return Plan(writes, context.refs, actor, now, today, locale)


@dataclass
class Ready:
    """A plan's statements made ready for writing, and what they add to the summary's tallies:
    built before its transaction starts (SQLite's lock with it), holding nothing."""

    batch: tasks.Batch
    difference: tally.Difference


def ready(session: Session, planned: Plan) -> Ready:
    """Make a plan ready to write (`write`). It reads nothing: the session gives the dialect
    and the work's day only."""
    written = [item for _, item in planned.writes if item.expected is None or item.steps]
    return Ready(
        tasks.prepare_many(session, written, actor=planned.actor, now=planned.now),
        tally.difference(
            *planner.contributions(planned.refs, written), work_day(session) or planned.today
        ),
    )


@paused()
def write(session: Session, planned: Plan) -> ImportReport:
    """Write a plan in the session's transaction (the caller commits). Its report is made
    first: on SQLite the transaction holds the lock every writer waits for."""
    report = planned.report(dry_run=False)
    _write(session, planned, ready(session, planned))
    return report


def _write(
    session: Session, planned: Plan, made: Ready, kept: Sequence[changes.Entry] = ()
) -> None:
    """Write a plan made ready (`ready`) before its transaction's first statement; `kept`:
    changes of the same transaction whose feed rows come first
    (app.changes.service.deferred)."""
    expected = {
        item.task.id: item.expected for _, item in planned.writes if item.expected is not None
    }
    moved = tasks.moved_versions(session, expected)
    if moved:
        failures: Failures = []
        for number, item in planned.writes:
            if item.task.id in moved and item.expected is not None:
                current = moved[item.task.id]
                failures.append(
                    (
                        number,
                        failure(Problem("id", N_("No task with this id.")))
                        if current is None
                        else planner.stale(item.expected, current),
                    )
                )
        raise ImportInvalid(failures, planned.locale)
    # The locks that other writers take too come last, in the order every writer takes them:
    # the tasks' rows (above, and the writing), then the summary's tallies, then the change
    # feed's number and the outbox's version, each held until the commit.
    finished = tasks.write_many(session, made.batch, today=planned.today)
    tally.add_difference(session, made.difference)
    changes.record_many(session, kept)
    tasks.finish_many(session, finished)


@paused()
def run(
    engine: Engine,
    table: Table,
    *,
    actor: User,
    dry_run: bool,
    locale: str,
    now: datetime,
    today: date,
    plan: str | None = None,
) -> ImportReport | MatrixReport:
    """A whole import (the command line's): planned in a reading unit of work, then (unless a
    task sheet's dry run) written in a short one."""
    with unit_of_work(engine, write=False) as session:
        if table.kind is SheetKind.matrix:
            matrix_plan = plan_matrix(
                session, table, actor=actor, locale=locale, now=now, today=today, plan=plan
            )
        else:
            planned = plan_rows(session, table, actor=actor, locale=locale, now=now, today=today)
    if table.kind is SheetKind.matrix:
        with unit_of_work(engine, today=today) as session:
            return write_matrix(session, matrix_plan, dry_run=dry_run)
    if dry_run:
        return planned.report(dry_run=True)
    with unit_of_work(engine, today=today) as session:
        return write(session, planned)


@dataclass
class MatrixPlan:
    """The checked rows of a plan matrix: its strategies and commitments, and its tasks' plan."""

    structure: matrix.Planned
    tasks: Plan


@paused()
def plan_matrix(
    session: Session,
    table: Table,
    *,
    actor: User,
    locale: str,
    now: datetime,
    today: date,
    plan: str | None,
) -> MatrixPlan:
    """Check every row of a plan matrix and plan its writes, reading only, for `plan` or the
    plan its plan column names; 422 listing every row error."""
    header = matrix.header_problems(table.columns)
    target = matrix.plan_of(session, table, plan)
    if header:
        raise ImportInvalid([(1, failure(*header))], locale)
    structure, failures = matrix.plan(session, table, target, actor=actor, now=now, today=today)
    if failures:
        raise ImportInvalid(failures, locale)
    writes = [(row.number, row.task) for row in structure.rows if row.task is not None]
    return MatrixPlan(structure, Plan(writes, structure.refs, actor, now, today, locale))


@paused()
def write_matrix(session: Session, planned: MatrixPlan, *, dry_run: bool) -> MatrixReport:
    """Write a plan matrix in the session's transaction (the caller commits): its strategies
    and commitments through their services, then its tasks as a task sheet's. A dry run writes
    the strategies and commitments in a savepoint it rolls back, to report what they would do."""
    tasks_plan = planned.tasks
    # Made ready before the first statement, which starts the transaction: writing the
    # strategies and commitments holds SQLite's lock already. A new commitment gets the id
    # its tasks were planned with. So is the report, but for the rows that plan a strategy
    # or a commitment: what became of those is known once they are written.
    made = None if dry_run else ready(session, tasks_plan)
    early = _dry(matrix.reported(planned.structure), dry_run=dry_run)
    outer = session.begin_nested() if dry_run else None
    try:
        # Their feed rows are numbered with the tasks', after the tasks' rows and the tallies
        # are locked: the order in which every writer takes those locks.
        with changes.deferred(session) as kept:
            matrix.write_structure(
                session, planned.structure, actor=tasks_plan.actor, now=tasks_plan.now
            )
    finally:
        if outer is not None:
            outer.rollback()
    if made is not None:
        _write(session, tasks_plan, made, kept)
    rows = _dry(matrix.reported(planned.structure, early), dry_run=dry_run)
    counted = _counted(list(rows), dry_run=dry_run)
    return MatrixReport.model_validate(
        {**dict(counted), "plan": planned.structure.plan.code, "rows": rows}
    )


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = []
    for index, name in enumerate(columns):
        if name and name not in IMPORTABLE:
            problems.append(
                Problem(name, N_("Unknown column: use the columns of the export, and note."))
            )
        elif name and name in columns[:index]:
            problems.append(Problem(name, N_("This column appears twice.")))
    return problems


def _imported(number: int, write: tasks.TaskWrite) -> ImportedRow:
    return ImportedRow(row=number, action=planner.action(write), id=write.task.id)


Reported = TypeVar("Reported", bound=ImportedRow)


def _dry(done: list[Reported], *, dry_run: bool) -> list[Reported]:
    """The ids of tasks a dry run created were rolled back with them."""
    if not dry_run:
        return done
    return [
        row.model_copy(update={"id": None})
        if getattr(row, "task", row.action) is ImportAction.created and row.id is not None
        else row
        for row in done
    ]


def _counted(done: list[ImportedRow], *, dry_run: bool) -> ImportReport:
    """The report of these rows, as they are reported (`_dry` made already)."""
    count = {action: sum(row.action is action for row in done) for action in ImportAction}
    return ImportReport(
        dry_run=dry_run,
        created=count[ImportAction.created],
        updated=count[ImportAction.updated],
        unchanged=count[ImportAction.unchanged],
        rows=done,
    )
