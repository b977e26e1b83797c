"""Importing a plan matrix: the shape of the Perpres 87/2025 annex, or a coordinator's own annex
in that shape (docs/decisions/0020-matrix-import.md).

A row names a strategy (pillar), a commitment (key intervention) and, optionally, a task. Each is
upserted by its code: strategy_code within the plan, commitment_code, task_id. Codes repeat down
a matrix (one strategy over several commitments, one commitment over several tasks); the first row
of a code sets what it says, and a later row that says otherwise is an error. Texts of strategies
and commitments are in the language of the header row. Everything is written through the domain
services (history and change feed); the caller's transaction makes the import all or nothing,
each row in a savepoint of its own so that every row's errors are reported at once.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.commitments import service as commitments
from app.commitments.schemas import CommitmentCreate, CommitmentUpdate
from app.errors import AppError, invalid
from app.exchange import cells
from app.exchange.apply import Context, create_row, update_row
from app.exchange.cells import CellError, Problem, Row
from app.exchange.columns import Cell, Formula
from app.exchange.files import Table
from app.exchange.headers import DUE_DATE_REASON, NOTE, PLAN, ROW_NUMBER
from app.exchange.matrix_columns import CODE_SEPARATOR, MATRIX_KEYS
from app.exchange.problems import RowFailure, explained, failure
from app.exchange.schemas import ImportAction, MatrixRow
from app.i18n import N_, SOURCE, SUPPORTED, status_label
from app.models import Commitment, Organisation, OrganisationAlias, Pillar, Plan, TaskStatus
from app.organisations.service import alias_key
from app.plans import pillars
from app.plans import service as plans
from app.plans.schemas import PillarCreate, PillarUpdate

# Shown by the export, kept by the service: read back, never written.
READ_ONLY = frozenset({"slips", "latest_note", ROW_NUMBER})
KNOWN = frozenset(MATRIX_KEYS) | {PLAN, NOTE, DUE_DATE_REASON, ROW_NUMBER}
# The task columns, by their names in the task sheet (whose row code applies them).
TASK_COLUMNS = {
    "task_id": "id",
    "task": "title",
    "commitment_code": "commitment",
    "lead_owner": "lead_owner",
    "support_owners": "support_owners",
    "assignee_email": "assignee_email",
    "status": "status",
    "progress": "progress",
    "start_date": "start_date",
    "due_date": "due_date",
    "version": "version",
    NOTE: "note",
    DUE_DATE_REASON: "due_date_reason",
}
MATRIX_OF_TASK = {task: matrix for matrix, task in TASK_COLUMNS.items()}
CLOSEST = 3


def _codes(cell: Cell) -> list[str]:
    value = cells.text(cell) or ""
    return [part.strip() for part in value.split(CODE_SEPARATOR) if part.strip()]


def _code(cell: Cell) -> str | None:
    return cells.text(cell)


@cache
def _statuses() -> dict[str, TaskStatus]:
    """A status by its value or its label in any language (the matrix export writes labels)."""
    found = {status.value: status for status in TaskStatus}
    for status in TaskStatus:
        for language in SUPPORTED:
            found.setdefault(status_label(status, language).casefold(), status)
    return found


def _status(cell: Cell) -> TaskStatus | None:
    value = cells.text(cell)
    if value is None:
        return None
    found = _statuses().get(value.casefold())
    if found is None:
        raise CellError(N_("Unknown value: use one of {choices}."), choices=", ".join(TaskStatus))
    return found


PARSERS: dict[str, Callable[[Cell], Any]] = {
    "strategy_code": _code,
    "strategy": cells.text,
    "focus": cells.text,
    "commitment_code": _code,
    "commitment": cells.text,
    "output": cells.text,
    "target_year": cells.year,
    "lead_organisation_code": cells.text,
    "lead_organisation": cells.text,
    "related_organisation_codes": _codes,
    "related_organisations": _codes,
    "task_id": cells.task_id,
    "task": cells.text,
    "lead_owner": cells.text,
    "support_owners": cells.owner_list,
    "assignee_email": cells.email,
    "status": _status,
    "progress": cells.integer,
    "start_date": cells.day,
    "due_date": cells.day,
    "version": cells.integer,
    NOTE: cells.text,
    DUE_DATE_REASON: cells.text,
    PLAN: cells.text,
}


def header_problems(columns: list[str]) -> list[Problem]:
    problems = []
    for index, name in enumerate(columns):
        if name and name not in KNOWN:
            problems.append(
                Problem(name, N_("Unknown column: use the columns of the matrix export."))
            )
        elif name and name in columns[:index]:
            problems.append(Problem(name, N_("This column appears twice.")))
    return problems


def parse(number: int, values: dict[str, Cell]) -> tuple[Row, list[Problem]]:
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, cell in values.items():
        if column in READ_ONLY:
            continue
        if isinstance(cell, Formula):
            problems.append(Problem(column, cells.FORMULA, {"formula": cell[:100]}))
            continue
        try:
            parsed[column] = PARSERS[column](cell)
        except CellError as error:
            problems.append(Problem(column, error.message, error.params))
    return Row(number, parsed), problems


def plan_of(session: Session, table: Table, ref: str | None) -> Plan:
    """The plan the request names, or else the one the file's plan column names (one only)."""
    named = {cells.text(values.get(PLAN)) for _, values in table.rows} - {None}
    if not ref and len(named) > 1:
        raise invalid(PLAN, N_("The file names several plans: import one plan at a time."))
    ref = ref or next(iter(named), None)
    if not ref:
        raise invalid(
            PLAN,
            N_(
                "Name the plan the matrix belongs to: the `plan` field or query parameter, "
                "or a plan column."
            ),
        )
    plan = plans.find(session, ref)
    if plan is None:
        raise invalid(PLAN, N_("No {entity} with that id or code."), entity="plan")
    return plan


class Organisations:
    """The organisations by code, names in both languages and aliases, read once."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, Organisation] = {}
        self.names: list[str] = []
        rows = list(session.exec(select(Organisation).order_by(col(Organisation.code))))
        by_id = {row.id: row for row in rows}
        for row in rows:
            for name in (row.code, row.name_id, row.name_en):
                self.by_key.setdefault(alias_key(name), row)
            self.names += [row.name_id, row.name_en]
        for alias in session.exec(select(OrganisationAlias)):
            self.by_key.setdefault(alias.alias_key, by_id[alias.organisation_id])

    def find(self, ref: str, column: str) -> Organisation:
        found = self.by_key.get(alias_key(ref))
        if found is not None:
            return found
        closest = difflib.get_close_matches(ref, self.names, n=CLOSEST, cutoff=0.5)
        if closest:
            raise failure(
                Problem(
                    column,
                    N_("No organisation {name}. The closest known: {closest}."),
                    {"name": ref, "closest": "; ".join(dict.fromkeys(closest))},
                )
            )
        raise failure(
            Problem(column, N_("No organisation {name}: an admin adds it first."), {"name": ref})
        )


@dataclass
class Matrix:
    context: Context
    plan: Plan
    language: str
    organisations: Organisations
    # The row that first named each strategy, commitment and task, and what it said.
    strategies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    commitments: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    tasks: dict[UUID, int] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        return self.context.session


def run(
    context: Context, table: Table, plan: Plan
) -> tuple[list[MatrixRow], list[tuple[int, RowFailure]]]:
    """Every row applied, each in a savepoint; the rows done and the rows that failed."""
    plans.ensure_can_write(context.session, context.actor, plan.id)
    matrix = Matrix(context, plan, table.language or SOURCE, Organisations(context.session))
    done: list[MatrixRow] = []
    failures: list[tuple[int, RowFailure]] = []
    for number, values in table.rows:
        try:
            with context.session.begin_nested():
                done.append(_apply(matrix, number, values))
        except RowFailure as failed:
            failures.append((number, failed))
    return done, failures


def _action(created: bool, changed: bool) -> ImportAction:
    if created:
        return ImportAction.created
    return ImportAction.updated if changed else ImportAction.unchanged


def _apply(matrix: Matrix, number: int, values: dict[str, Cell]) -> MatrixRow:
    row, problems = parse(number, values)
    if problems:
        raise failure(*problems)
    strategy = _strategy(matrix, row)
    commitment, commitment_action = _commitment(matrix, row, strategy)
    task_id, task_action = _task(matrix, row, commitment)
    actions = [a for a in (strategy[1] if strategy else None, commitment_action, task_action) if a]
    overall = (
        ImportAction.created
        if ImportAction.created in actions
        else ImportAction.updated
        if ImportAction.updated in actions
        else ImportAction.unchanged
    )
    return MatrixRow(
        row=number,
        action=overall,
        id=task_id,
        strategy=strategy[1] if strategy else None,
        commitment=commitment_action,
        task=task_action,
    )


def _same_as_first(
    seen: dict[str, tuple[int, dict[str, Any]]], code: str, said: dict[str, Any]
) -> bool:
    """Whether a row repeats a code already seen; an error when it says otherwise (a blank
    cell says nothing)."""
    if code not in seen:
        return False
    first, before = seen[code]
    for name, value in said.items():
        if value not in (None, []) and before.get(name) not in (None, []) and value != before[name]:
            raise failure(
                Problem(
                    name,
                    N_("Row {row} says otherwise for {code}: a code means one thing."),
                    {"row": first, "code": code},
                )
            )
    return True


def _title_field(language: str) -> str:
    return "title_id" if language == "id" else "title_en"


def _strategy(matrix: Matrix, row: Row) -> tuple[str, ImportAction] | None:
    code = row.get("strategy_code")
    if code is None:
        if row.get("strategy"):
            raise failure(Problem("strategy_code", N_("Required.")))
        return None
    said = {"strategy": row.get("strategy")} if row.has("strategy") else {}
    if _same_as_first(matrix.strategies, code.upper(), said):
        return code, ImportAction.unchanged
    matrix.strategies[code.upper()] = (row.number, said)
    title = said.get("strategy")
    ctx = matrix.context
    actor_id = ctx.actor.id
    pillar = pillars.find_in_plan(matrix.session, matrix.plan.id, code)
    try:
        if pillar is None:
            if not title:
                known = _plan_strategies(matrix)
                raise failure(
                    Problem(
                        "strategy_code",
                        N_(
                            "Not a strategy of plan {plan} (its strategies: {known}); give the "
                            "strategy's name too to add it."
                        ),
                        {"plan": matrix.plan.code, "known": known or "-"},
                    )
                )
            data = PillarCreate(code=code, title_en=title, title_id=title)
            pillars.create(matrix.session, matrix.plan, data, actor_id=actor_id, now=ctx.now)
            return code, ImportAction.created
        if not title:
            return code, ImportAction.unchanged
        before = pillar.version
        update = PillarUpdate.model_validate({_title_field(matrix.language): title})
        pillars.update(matrix.session, pillar, update, actor_id=actor_id, now=ctx.now)
        return code, _action(False, pillar.version != before)
    except (ValidationError, AppError) as error:
        raise _on(error, "strategy") from error


def _plan_strategies(matrix: Matrix) -> str:
    statement = select(Pillar.code).where(col(Pillar.plan_id) == matrix.plan.id)
    return ", ".join(sorted(matrix.session.exec(statement).all()))


def _on(error: Exception, column: str) -> RowFailure:
    """A service's refusal, named by the matrix's columns."""
    failed = explained(error, [], column=column)
    renamed = {
        "title_en": column,
        "title_id": column,
        "code": f"{column}_code",
        "lead_organisation": "lead_organisation_code",
        "related_organisations": "related_organisation_codes",
    }
    return RowFailure(
        [(renamed.get(name.split(".")[0], name), words) for name, words in failed.messages]
    )


def _organisation_code(matrix: Matrix, row: Row) -> str | None:
    for column in ("lead_organisation_code", "lead_organisation"):
        ref = row.get(column)
        if ref:
            return matrix.organisations.find(ref, column).code
    return None


def _related_codes(matrix: Matrix, row: Row) -> list[str] | None:
    for column in ("related_organisation_codes", "related_organisations"):
        if row.get(column):
            found = [matrix.organisations.find(ref, column).code for ref in row.get(column)]
            return sorted(dict.fromkeys(found))
    if row.has("related_organisation_codes") or row.has("related_organisations"):
        return []
    return None


def _commitment(
    matrix: Matrix, row: Row, strategy: tuple[str, ImportAction] | None
) -> tuple[Commitment, ImportAction]:
    code = row.get("commitment_code")
    if code is None:
        raise failure(Problem("commitment_code", N_("Required.")))
    said: dict[str, Any] = {}
    if strategy is not None:
        said["strategy_code"] = strategy[0]
    for column in ("commitment", "focus", "output", "target_year"):
        if row.has(column):
            said[column] = row.get(column)
    lead = _organisation_code(matrix, row)
    if lead is not None:
        said["lead_organisation_code"] = lead
    related = _related_codes(matrix, row)
    if related is not None:
        said["related_organisation_codes"] = related
    existing = commitments.find(matrix.session, code)
    if existing is not None and existing.plan_id != matrix.plan.id:
        other = matrix.session.get(Plan, existing.plan_id)
        raise failure(
            Problem(
                "commitment_code",
                N_("This commitment belongs to plan {plan}."),
                {"plan": other.code if other else "?"},
            )
        )
    if _same_as_first(matrix.commitments, code.upper(), said):
        found = existing or commitments.find(matrix.session, code)
        assert found is not None  # the first row of the code added it
        return found, ImportAction.unchanged
    matrix.commitments[code.upper()] = (row.number, said)
    fields: dict[str, Any] = {
        "focus": said.get("focus"),
        "output": said.get("output"),
        "target_year": said.get("target_year"),
    }
    fields = {name: value for name, value in fields.items() if name in said}
    if "strategy_code" in said:
        fields["pillar"] = said["strategy_code"]
    if "lead_organisation_code" in said:
        fields["lead_organisation"] = said["lead_organisation_code"]
    if "related_organisation_codes" in said:
        fields["related_organisations"] = said["related_organisation_codes"]
    title = said.get("commitment")
    ctx = matrix.context
    try:
        if existing is None:
            if not title:
                raise failure(
                    Problem(
                        "commitment", N_("Required to add the commitment {code}."), {"code": code}
                    )
                )
            data = CommitmentCreate.model_validate(
                {
                    **fields,
                    "plan": str(matrix.plan.id),
                    "code": code,
                    "title_en": title,
                    "title_id": title,
                }
            )
            created = commitments.create(matrix.session, data, actor=ctx.actor, now=ctx.now)
            return created, ImportAction.created
        if title:
            fields[_title_field(matrix.language)] = title
        before = existing.version
        update = CommitmentUpdate.model_validate(fields)
        commitments.update(matrix.session, existing, update, actor_id=ctx.actor.id, now=ctx.now)
        return existing, _action(False, existing.version != before)
    except (ValidationError, AppError) as error:
        raise _on(error, "commitment") from error


def _task(
    matrix: Matrix, row: Row, commitment: Commitment
) -> tuple[UUID | None, ImportAction | None]:
    task_id = row.get("task_id")
    if task_id is None and not row.get("task"):
        return None, None  # a commitment without tasks yet
    values = {
        TASK_COLUMNS[name]: value for name, value in row.values.items() if name in TASK_COLUMNS
    }
    values["commitment"] = commitment.code
    if task_id is None and not values.get("lead_owner") and not values.get("support_owners"):
        lead = (
            matrix.session.get(Organisation, commitment.lead_organisation_id)
            if (commitment.lead_organisation_id)
            else None
        )
        if lead is not None:  # a new task is led by its commitment's lead unless the row says
            values["lead_owner"] = lead.code
    task_row = Row(row.number, values)
    try:
        if task_id is None:
            return create_row(matrix.context, task_row), ImportAction.created
        if task_id in matrix.tasks:
            raise failure(
                Problem(
                    "id", N_("This task is in row {row} already."), {"row": matrix.tasks[task_id]}
                )
            )
        matrix.tasks[task_id] = row.number
        changed = update_row(matrix.context, task_row, task_id)
        return task_id, _action(False, changed)
    except RowFailure as failed:
        raise RowFailure(
            [(MATRIX_OF_TASK.get(name, name), words) for name, words in failed.messages]
        ) from failed
