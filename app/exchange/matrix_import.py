"""Importing a plan matrix: the shape of the Perpres 87/2025 annex, or a coordinator's own annex
in that shape (docs/decisions/0020-matrix-import.md).

A row names a strategy (pillar), a commitment (key intervention) and, optionally, a task. Each is
upserted by its code: strategy_code within the plan, commitment_code, task_id. Codes repeat down
a matrix (one strategy over several commitments, one commitment over several tasks); the first row
of a code sets what it says, and a later row that says otherwise is an error. Texts of strategies
and commitments are in the language of the header row.

Like a task sheet's, a matrix is first planned, reading only (`plan`): each strategy and
commitment from the first row that names it, each task by app.exchange.planner against the
commitments as the file leaves them. Then it is written in one transaction
(`write_structure`, then app.exchange.service.write): the few strategies and commitments
through their services, each in a savepoint so that every refusal is reported, then the tasks
in bulk. History and the change feed record all of it.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.commitments import service as commitments
from app.commitments.schemas import CommitmentCreate, CommitmentUpdate
from app.errors import AppError, NotFound, invalid
from app.exchange import cells, planner
from app.exchange.cells import CellError, Problem, Row
from app.exchange.columns import Cell, Formula
from app.exchange.files import Table
from app.exchange.headers import DUE_DATE_REASON, NOTE, PLAN, ROW_NUMBER
from app.exchange.matrix_columns import CODE_SEPARATOR, MATRIX_KEYS
from app.exchange.problems import ImportInvalid, RowFailure, explained, failure
from app.exchange.schemas import ImportAction, MatrixRow
from app.i18n import N_, SOURCE, SUPPORTED, status_label
from app.models import (
    Commitment,
    Organisation,
    OrganisationAlias,
    Pillar,
    Plan,
    TaskStatus,
    User,
)
from app.models.base import new_id
from app.organisations.service import alias_key
from app.plans import pillars
from app.plans import service as plans
from app.plans.schemas import PillarCreate, PillarUpdate
from app.tasks import service as tasks

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
        self.by_id = by_id = {row.id: row for row in rows}
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
class Strategy:
    """A strategy the file names, planned from the first row that names it."""

    row: int
    code: str
    title: str | None
    exists: bool
    action: ImportAction = ImportAction.unchanged  # what writing it did


@dataclass
class CommitmentPlan:
    """A commitment the file names, planned from the first row that names it. Its tasks are
    planned with `planned_id`: its id, or for one the file adds the id chosen now, which it
    is given when it is written."""

    row: int
    code: str
    data: CommitmentCreate | CommitmentUpdate
    planned_id: UUID
    lead_code: str | None  # a new task's lead, unless its row names one
    action: ImportAction = ImportAction.unchanged


@dataclass(frozen=True)
class PlannedRow:
    """What one row names: its strategy and commitment (by key; `first` when this row is the one
    that plans them) and its task's write."""

    number: int
    strategy: str | None
    first_strategy: bool
    commitment: str
    first_commitment: bool
    task: tasks.TaskWrite | None


@dataclass
class Planned:
    """A matrix checked and planned, nothing written."""

    plan: Plan
    language: str
    strategies: dict[str, Strategy]
    commitments: dict[str, CommitmentPlan]
    rows: list[PlannedRow]
    refs: planner.References


@dataclass
class Matrix:
    """What planning reads once and what it has seen so far."""

    context: planner.Context
    plan: Plan
    language: str
    organisations: Organisations
    pillars: dict[str, Pillar]  # the plan's, by upper-case code
    plan_codes: dict[UUID, str]
    existing: dict[str, Commitment]  # every commitment as read, by upper-case code
    # The row that first named each strategy, commitment and task, and what it said.
    said_strategies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    said_commitments: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    strategies: dict[str, Strategy] = field(default_factory=dict)
    commitments: dict[str, CommitmentPlan] = field(default_factory=dict)
    tasks: dict[UUID, int] = field(default_factory=dict)


def plan(
    session: Session,
    table: Table,
    target: Plan,
    *,
    actor: User,
    now: datetime,
    today: date,
) -> tuple[Planned, list[tuple[int, RowFailure]]]:
    """Every row parsed, checked and planned, reading only; the plan and the rows that failed."""
    plans.ensure_can_write(session, actor, target.id)
    parsed: list[Row] = []
    failures: list[tuple[int, RowFailure]] = []
    for number, values in table.rows:
        row, problems = parse(number, values)
        if problems:
            failures.append((number, failure(*problems)))
        else:
            parsed.append(row)
    task_rows = [_task_row(row) for row in parsed]
    pillar_rows = session.exec(select(Pillar).where(col(Pillar.plan_id) == target.id))
    pillars_of_plan = {pillar.code.upper(): pillar for pillar in pillar_rows}
    plan_codes = dict(session.exec(select(Plan.id, Plan.code)).all())
    organisations = Organisations(session)
    refs = planner.load(session, task_rows, actor)
    matrix = Matrix(
        context=planner.Context(refs, actor, now, today),
        plan=target,
        language=table.language or SOURCE,
        organisations=organisations,
        pillars=pillars_of_plan,
        plan_codes=plan_codes,
        existing=dict(refs.commitments),
    )
    done: list[PlannedRow] = []
    for row, task_row in zip(parsed, task_rows, strict=True):
        try:
            done.append(_planned_row(matrix, row, task_row))
        except RowFailure as failed:
            failures.append((row.number, failed))
    planned = Planned(target, matrix.language, matrix.strategies, matrix.commitments, done, refs)
    return planned, sorted(failures, key=lambda item: item[0])


def _task_row(row: Row) -> Row:
    """The row's task columns, by their names in the task sheet."""
    values = {
        TASK_COLUMNS[name]: value for name, value in row.values.items() if name in TASK_COLUMNS
    }
    return Row(row.number, values)


def _planned_row(matrix: Matrix, row: Row, task_row: Row) -> PlannedRow:
    strategy, first_strategy = _strategy(matrix, row)
    commitment, first_commitment = _commitment(matrix, row, strategy)
    return PlannedRow(
        number=row.number,
        strategy=strategy,
        first_strategy=first_strategy,
        commitment=commitment.code.upper(),
        first_commitment=first_commitment,
        task=_task(matrix, task_row, commitment),
    )


def _strategy(matrix: Matrix, row: Row) -> tuple[str | None, bool]:
    """The key of the row's strategy, and whether this row plans it."""
    code = row.get("strategy_code")
    if code is None:
        if row.get("strategy"):
            raise failure(Problem("strategy_code", N_("Required.")))
        return None, False
    key = code.upper()
    said = {"strategy": row.get("strategy")} if row.has("strategy") else {}
    if _same_as_first(matrix.said_strategies, key, said):
        return key, False
    matrix.said_strategies[key] = (row.number, said)
    title = said.get("strategy")
    exists = key in matrix.pillars
    if not exists and not title:
        known = ", ".join(sorted(pillar.code for pillar in matrix.pillars.values()))
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
    matrix.strategies[key] = Strategy(row.number, code, title, exists)
    return key, True


def _commitment(matrix: Matrix, row: Row, strategy: str | None) -> tuple[CommitmentPlan, bool]:
    """The row's commitment as planned, and whether this row plans it."""
    code = row.get("commitment_code")
    if code is None:
        raise failure(Problem("commitment_code", N_("Required.")))
    key = code.upper()
    said: dict[str, Any] = {}
    if strategy is not None:
        said["strategy_code"] = matrix.strategies[strategy].code
    for column in ("commitment", "focus", "output", "target_year"):
        if row.has(column):
            said[column] = row.get(column)
    lead = _organisation_code(matrix, row)
    if lead is not None:
        said["lead_organisation_code"] = lead
    related = _related_codes(matrix, row)
    if related is not None:
        said["related_organisation_codes"] = related
    existing = matrix.existing.get(key)
    if existing is not None and existing.plan_id != matrix.plan.id:
        raise failure(
            Problem(
                "commitment_code",
                N_("This commitment belongs to plan {plan}."),
                {"plan": matrix.plan_codes.get(existing.plan_id, "?")},
            )
        )
    if _same_as_first(matrix.said_commitments, key, said):
        return matrix.commitments[key], False
    matrix.said_commitments[key] = (row.number, said)
    fields: dict[str, Any] = {
        name: said[name] for name in ("focus", "output", "target_year") if name in said
    }
    if "strategy_code" in said:
        fields["pillar"] = said["strategy_code"]
    if "lead_organisation_code" in said:
        fields["lead_organisation"] = said["lead_organisation_code"]
    if "related_organisation_codes" in said:
        fields["related_organisations"] = said["related_organisation_codes"]
    title = said.get("commitment")
    data: CommitmentCreate | CommitmentUpdate
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
        else:
            if title:
                fields[_title_field(matrix.language)] = title
            data = CommitmentUpdate.model_validate(fields)
    except ValidationError as error:
        raise _on(error, "commitment") from error
    planned = _planned_commitment(matrix, row.number, code, data, existing, lead)
    matrix.commitments[key] = planned
    return planned, True


def _planned_commitment(
    matrix: Matrix,
    number: int,
    code: str,
    data: CommitmentCreate | CommitmentUpdate,
    existing: Commitment | None,
    lead: str | None,
) -> CommitmentPlan:
    """The commitment as its tasks are planned against: the one read, or a stand-in for the
    one the file adds, known to the planner by its code and the id chosen here, which writing
    gives it."""
    if existing is not None:
        if lead is None and existing.lead_organisation_id is not None:
            known = matrix.organisations.by_id.get(existing.lead_organisation_id)
            lead = known.code if known else None
        return CommitmentPlan(number, code, data, existing.id, lead)
    stand_in = Commitment(
        id=new_id(), plan_id=matrix.plan.id, code=code, title_en=code, title_id=code
    )
    refs = matrix.context.refs
    refs.commitments[code.upper()] = stand_in
    refs.commitment_ids[stand_in.id] = stand_in
    return CommitmentPlan(number, code, data, stand_in.id, lead)


def _task(matrix: Matrix, task_row: Row, commitment: CommitmentPlan) -> tasks.TaskWrite | None:
    task_id = task_row.get("id")
    if task_id is None and not task_row.get("title"):
        return None  # a commitment without tasks yet
    task_row.values["commitment"] = commitment.code
    owned = task_row.get("lead_owner") or task_row.get("support_owners")
    if task_id is None and not owned and commitment.lead_code is not None:
        task_row.values["lead_owner"] = commitment.lead_code  # led by its commitment's lead
    try:
        return planner.plan_row(matrix.context, task_row, matrix.tasks)
    except RowFailure as failed:
        raise RowFailure(
            [(MATRIX_OF_TASK.get(name, name), words) for name, words in failed.messages]
        ) from failed


def write_structure(session: Session, planned: Planned, *, actor: User, now: datetime) -> None:
    """Write the strategies and commitments through their services, each in a savepoint (an
    added commitment gets the id its tasks were planned with); 422 listing every refusal.
    Strategies first: a commitment names its strategy by code."""
    failures: list[tuple[int, RowFailure]] = []
    target = session.get(Plan, planned.plan.id)
    assert target is not None  # planning read it; plans are never deleted
    for strategy in planned.strategies.values():
        try:
            with session.begin_nested():
                strategy.action = _write_strategy(session, target, strategy, planned, actor, now)
        except (ValidationError, AppError) as error:
            failures.append((strategy.row, _on(error, "strategy")))
    for commitment in planned.commitments.values():
        try:
            with session.begin_nested():
                commitment.action = _write_commitment(session, commitment, actor, now)
        except (ValidationError, AppError) as error:
            failures.append((commitment.row, _on(error, "commitment")))
    if failures:
        raise ImportInvalid(sorted(failures, key=lambda item: item[0]), planned.language)


def _write_strategy(
    session: Session,
    target: Plan,
    strategy: Strategy,
    planned: Planned,
    actor: User,
    now: datetime,
) -> ImportAction:
    if not strategy.exists:
        assert strategy.title is not None  # planning refused a new code without its name
        data = PillarCreate(code=strategy.code, title_en=strategy.title, title_id=strategy.title)
        pillars.create(session, target, data, actor_id=actor.id, now=now)
        return ImportAction.created
    if not strategy.title:
        return ImportAction.unchanged
    pillar = pillars.find_in_plan(session, target.id, strategy.code)
    if pillar is None:
        raise NotFound("pillar")
    before = pillar.version
    update = PillarUpdate.model_validate({_title_field(planned.language): strategy.title})
    pillars.update(session, pillar, update, actor_id=actor.id, now=now)
    return _action(False, pillar.version != before)


def _write_commitment(
    session: Session, commitment: CommitmentPlan, actor: User, now: datetime
) -> ImportAction:
    if isinstance(commitment.data, CommitmentCreate):
        commitments.create(
            session, commitment.data, actor=actor, now=now, commitment_id=commitment.planned_id
        )
        return ImportAction.created
    existing = session.get(Commitment, commitment.planned_id)
    if existing is None:
        raise NotFound("commitment")
    before = existing.version
    commitments.update(session, existing, commitment.data, actor_id=actor.id, now=now)
    return _action(False, existing.version != before)


def reported(planned: Planned, before: list[MatrixRow] | None = None) -> list[MatrixRow]:
    """Each row's report: what became of its strategy, commitment and task (a row that does not
    plan its strategy or commitment left it unchanged). `before`: the report made before the
    strategies and commitments were written, whose rows that plan neither stand as they are:
    only the few that plan one are made again."""
    done = []
    for index, row in enumerate(planned.rows):
        if before is not None and not (row.first_strategy or row.first_commitment):
            done.append(before[index])
            continue
        strategy = None
        if row.strategy is not None:
            first = row.first_strategy
            strategy = planned.strategies[row.strategy].action if first else ImportAction.unchanged
        commitment = (
            planned.commitments[row.commitment].action
            if row.first_commitment
            else ImportAction.unchanged
        )
        task = planner.action(row.task) if row.task is not None else None
        actions = [action for action in (strategy, commitment, task) if action is not None]
        overall = next(
            (a for a in (ImportAction.created, ImportAction.updated) if a in actions),
            ImportAction.unchanged,
        )
        done.append(
            MatrixRow(
                row=row.number,
                action=overall,
                id=row.task.task.id if row.task is not None else None,
                strategy=strategy,
                commitment=commitment,
                task=task,
            )
        )
    return done


def _action(created: bool, changed: bool) -> ImportAction:
    if created:
        return ImportAction.created
    return ImportAction.updated if changed else ImportAction.unchanged


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
