"""Imports: a table of rows in the export's format, applied all or nothing.

Each row runs in a savepoint of its own, so a failed row leaves no trace while the next rows are
still checked and every error is reported in one answer. Any error fails the whole import (the
caller's transaction rolls back); a dry run rolls back an outer savepoint whatever happens, so
it runs exactly the checks and writes of a real import, then keeps none of them.
"""

from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from sqlmodel import Session

from app.exchange import cells
from app.exchange import matrix_import as matrix
from app.exchange.apply import Context, create_row, update_row
from app.exchange.cells import Problem
from app.exchange.columns import IMPORTABLE, Cell
from app.exchange.files import Table
from app.exchange.headers import SheetKind
from app.exchange.problems import ImportInvalid, RowFailure, failure
from app.exchange.schemas import ImportAction, ImportedRow, ImportReport, MatrixReport
from app.i18n import N_
from app.models import User

Failures = list[tuple[int, RowFailure]]


def run(
    session: Session,
    table: Table,
    *,
    actor: User,
    dry_run: bool,
    locale: str,
    now: datetime,
    today: date,
    plan: str | None = None,
) -> ImportReport | MatrixReport:
    """Apply the rows; 422 listing every row error when any row fails. A plan matrix is
    applied to `plan`, or the plan its plan column names."""
    context = Context(session=session, actor=actor, now=now, today=today)
    if table.kind is SheetKind.matrix:
        header = matrix.header_problems(table.columns)
        target = matrix.plan_of(session, table, plan)
    else:
        header, target = _header_problems(table.columns), None
    if header:
        raise ImportInvalid([(1, failure(*header))], locale)
    outer = session.begin_nested() if dry_run else None
    try:
        if target is not None:
            rows, failures = matrix.run(context, table, target)
        else:
            done, failures = _apply_all(context, table.rows)
    finally:
        if outer is not None:
            outer.rollback()
    if failures:
        raise ImportInvalid(failures, locale)
    if target is not None:
        plain: list[ImportedRow] = list(rows)
        counted = _report(plain, dry_run=dry_run)
        return MatrixReport.model_validate(
            {**dict(counted), "plan": target.code, "rows": _dry(rows, dry_run=dry_run)}
        )
    return _report(done, dry_run=dry_run)


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


def _apply_all(
    context: Context, rows: list[tuple[int, dict[str, Cell]]]
) -> tuple[list[ImportedRow], Failures]:
    seen: dict[UUID, int] = {}
    done: list[ImportedRow] = []
    failures: Failures = []
    for number, values in rows:
        try:
            with context.session.begin_nested():
                done.append(_apply(context, number, values, seen))
        except RowFailure as failed:
            failures.append((number, failed))
    return done, failures


def _apply(
    context: Context, number: int, values: dict[str, Cell], seen: dict[UUID, int]
) -> ImportedRow:
    row, problems = cells.parse(number, values)
    if problems:
        raise failure(*problems)
    task_id = row.get("id")
    if task_id is None:
        created = create_row(context, row)
        return ImportedRow(row=number, action=ImportAction.created, id=created)
    if task_id in seen:
        raise failure(
            Problem("id", N_("This task is in row {row} already."), {"row": seen[task_id]})
        )
    seen[task_id] = number
    changed = update_row(context, row, task_id)
    action = ImportAction.updated if changed else ImportAction.unchanged
    return ImportedRow(row=number, action=action, id=task_id)


Reported = TypeVar("Reported", bound=ImportedRow)


def _dry(done: list[Reported], *, dry_run: bool) -> list[Reported]:
    """The ids of tasks a dry run created were rolled back with them."""
    if not dry_run:
        return done
    return [
        row.model_copy(update={"id": None})
        if getattr(row, "task", row.action) is ImportAction.created
        else row
        for row in done
    ]


def _report(done: list[ImportedRow], *, dry_run: bool) -> ImportReport:
    done = _dry(done, dry_run=dry_run)
    count = {action: sum(row.action is action for row in done) for action in ImportAction}
    return ImportReport(
        dry_run=dry_run,
        created=count[ImportAction.created],
        updated=count[ImportAction.updated],
        unchanged=count[ImportAction.unchanged],
        rows=done,
    )
