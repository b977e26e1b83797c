"""A plan as the matrix of its annex: one row per task under its strategy and key intervention,
as CSV (the way Indonesian Excel writes it) or as a workbook.

A commitment without tasks still has its row, the task columns empty, so the matrix reads as the
annex does; once a task filter or a period is given the rows are the matching tasks only (a
filter on pillar or commitment narrows the commitments themselves). Rows follow the annex:
strategy position, commitment position, then the tasks by due date (undated last). Words are in
the reader's language, codes in columns of their own so the file is read back by the import.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app import dates
from app.exchange.columns import Cell
from app.exchange.export import BOM, DATE_FORMAT, csv_text, xlsx_cell
from app.exchange.matrix_columns import CODE_SEPARATOR, MATRIX_COLUMNS, MATRIX_KEYS, headers
from app.exchange.schemas import MatrixFilters
from app.i18n import status_label, translations
from app.i18n.terms import in_context
from app.models import (
    TASK_DONE,
    Commitment,
    CommitmentOrganisation,
    History,
    Organisation,
    OrganisationKind,
    OwnerRole,
    Pillar,
    Plan,
    Task,
    TaskOwner,
    TaskStatus,
    User,
)
from app.periods import Period
from app.tasks import query
from app.tasks.schemas import TaskFilters
from app.users import visibility

CSV_TYPE = "text/csv; charset=utf-8; header=present"
SEPARATOR = ";"  # what Excel writes and reads where the decimal mark is a comma (Indonesia)
CHUNK = 500  # ids per IN (...) list: well under every driver's parameter limit
JOIN = f"{CODE_SEPARATOR} "
WIDTHS = {
    "strategy": 28,
    "focus": 28,
    "commitment": 40,
    "output": 36,
    "lead_organisation": 30,
    "related_organisation_codes": 18,
    "related_organisations": 36,
    "task_id": 38,
    "task": 44,
    "support_owners": 18,
    "assignee_email": 28,
    "status": 14,
    "start_date": 12,
    "due_date": 12,
    "latest_note": 40,
}
MATRIX_WIDTHS = [WIDTHS.get(key, 14) for key in MATRIX_KEYS]
ORGANISATION_WIDTHS = (18, 48, 48, 20, 12, 14)
WRAPPED = frozenset(WIDTHS) - {"task_id", "status", "start_date", "due_date", "assignee_email"}
# Light fills that print well and leave the text readable, by status.
FILLS = {
    TaskStatus.not_started: "EDEDED",
    TaskStatus.in_progress: "DDEBF7",
    TaskStatus.blocked: "F8CBAD",
    TaskStatus.completed: "C6EFCE",
    TaskStatus.cancelled: "D9D9D9",
}
HEADER_FILL = "1F4E78"
SHEETS = {
    "matrix": in_context("sheet", "Matrix"),
    "organisations": in_context("sheet", "Organisations"),
    "period": in_context("sheet", "Period"),
}
ORGANISATION_HEADERS = (
    in_context("organisations", "Code"),
    in_context("organisations", "Name (Indonesian)"),
    in_context("organisations", "Name (English)"),
    in_context("organisations", "Kind"),
    in_context("organisations", "Tasks"),
    in_context("organisations", "Slips"),
)
# An organisation's kind as the Organisations sheet words it.
KINDS = {
    OrganisationKind.ministry: in_context("organisation_kind", "Ministry"),
    OrganisationKind.agency: in_context("organisation_kind", "Agency"),
    OrganisationKind.regional_body: in_context("organisation_kind", "Regional body"),
    OrganisationKind.ngo: in_context("organisation_kind", "Non-governmental organisation"),
    OrganisationKind.un_body: in_context("organisation_kind", "United Nations body"),
    OrganisationKind.company: in_context("organisation_kind", "Company"),
    OrganisationKind.regional_government: in_context("organisation_kind", "Regional government"),
    OrganisationKind.other: in_context("organisation_kind", "Other"),
}
PERIOD_LINES = {
    "period": in_context("period", "Period"),
    "start": in_context("period", "Start"),
    "end": in_context("period", "End"),
    "tasks": in_context("period", "Tasks in the matrix"),
    "due": in_context("period", "Due in the period"),
    "done": in_context("period", "Due in the period and done"),
    "late": in_context("period", "Due in the period, open and past due"),
    "slips": in_context("period", "Slips"),
    "progress": in_context("period", "Mean progress (%)"),
}


@dataclass
class OrganisationLine:
    organisation: Organisation
    tasks: int = 0
    slips: int = 0


@dataclass
class Matrix:
    plan: Plan
    language: str
    rows: list[list[Cell]] = field(default_factory=list)
    statuses: list[TaskStatus | None] = field(default_factory=list)  # each row's, for its fill
    organisations: list[OrganisationLine] = field(default_factory=list)
    period: Period | None = None
    totals: dict[str, Cell] = field(default_factory=dict)


def _text(language: str, english: str, indonesian: str) -> str:
    return indonesian if language == "id" else english


def _name(organisation: Organisation | None, language: str) -> str | None:
    if organisation is None:
        return None
    return _text(language, organisation.name_en, organisation.name_id)


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def in_period(period: Period) -> ColumnElement[bool]:
    """Tasks due in the period, or active during it: started by its end, and due after its start
    or not dated at all."""
    start, due = col(Task.start_date), col(Task.due_date)
    due_within = and_(due >= period.start, due <= period.end)
    spans = and_(start <= period.end, or_(due >= period.start, due.is_(None)))
    return or_(due_within, spans)


def _by_ref(id_column: Any, code_column: Any, ref: str) -> ColumnElement[bool]:
    try:
        return col(id_column) == UUID(ref)
    except ValueError:
        return func.upper(code_column) == ref.upper()


def _task_filters(plan: Plan, filters: MatrixFilters) -> TaskFilters:
    fields = filters.model_dump(exclude={"period"})
    return TaskFilters(plan=str(plan.id), **fields)


def _narrows_tasks(filters: MatrixFilters) -> bool:
    """Whether a filter chooses among tasks, not commitments: then empty commitments go."""
    given = filters.model_dump(exclude={"pillar", "commitment"}, exclude_defaults=True)
    return bool(given)


def _commitments(session: Session, plan: Plan, filters: MatrixFilters) -> list[Commitment]:
    statement = select(Commitment).where(col(Commitment.plan_id) == plan.id)
    if filters.pillar:
        statement = statement.where(
            col(Commitment.pillar_id).in_(
                select(Pillar.id).where(_by_ref(Pillar.id, Pillar.code, filters.pillar))
            )
        )
    if filters.commitment:
        statement = statement.where(_by_ref(Commitment.id, Commitment.code, filters.commitment))
    return list(session.exec(statement).all())


def _tasks(
    session: Session,
    plan: Plan,
    filters: MatrixFilters,
    *,
    viewer: User,
    today: date,
    period: Period | None,
) -> list[Task]:
    task_filters = _task_filters(plan, filters)
    conditions = query.conditions(session, task_filters, user_id=viewer.id, today=today)
    if period is not None:
        conditions.append(in_period(period))
    return list(session.exec(select(Task).where(*conditions)).all())


@dataclass(frozen=True, slots=True)
class Owner:
    organisation_id: UUID
    role: OwnerRole


def _owners(session: Session, task_ids: list[UUID]) -> dict[UUID, list[Owner]]:
    """Each task's owners, read as rows rather than ORM objects (a tenth of the time)."""
    found: dict[UUID, list[Owner]] = defaultdict(list)
    columns = (col(TaskOwner.task_id), col(TaskOwner.organisation_id), col(TaskOwner.role))
    for chunk in _chunks(task_ids):
        statement = sa_select(*columns).where(col(TaskOwner.task_id).in_(chunk))
        for task_id, organisation_id, role in session.connection().execute(statement):
            found[task_id].append(Owner(organisation_id, OwnerRole(role)))
    return found


def _related(session: Session, commitment_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    found: dict[UUID, list[UUID]] = defaultdict(list)
    for chunk in _chunks(commitment_ids):
        statement = select(CommitmentOrganisation).where(
            col(CommitmentOrganisation.commitment_id).in_(chunk)
        )
        for link in session.exec(statement):
            found[link.commitment_id].append(link.organisation_id)
    return found


def _notes(session: Session, task_ids: list[UUID]) -> dict[UUID, str]:
    """Each task's latest history note (a change's reason, a check-in's words)."""
    found: dict[UUID, str] = {}
    for chunk in _chunks(task_ids):
        latest = (
            select(func.max(History.id))
            .where(
                col(History.entity) == "task",
                col(History.entity_id).in_(chunk),
                col(History.note).is_not(None),
                col(History.note) != "",
            )
            .group_by(col(History.entity_id))
        )
        statement = select(History.entity_id, History.note).where(col(History.id).in_(latest))
        for task_id, note in session.exec(statement):
            found[task_id] = note or ""
    return found


def _organisations(session: Session, ids: set[UUID]) -> dict[UUID, Organisation]:
    found: dict[UUID, Organisation] = {}
    for chunk in _chunks(sorted(ids)):
        statement = select(Organisation).where(col(Organisation.id).in_(chunk))
        found.update((organisation.id, organisation) for organisation in session.exec(statement))
    return found


def _day(task: Task, column: str, day: date | None) -> date | str | None:
    """A day out of range (written around the API) as its ISO text, as the task export does."""
    if dates.in_range(day):
        return day
    dates.bad_row("matrix", task.id, **{column: day})
    return day.isoformat() if day else None


def _task_order(task: Task) -> tuple[bool, date, Any, str]:
    return (task.due_date is None, task.due_date or date.min, task.created_at, str(task.id))


def build(
    session: Session,
    plan: Plan,
    filters: MatrixFilters,
    *,
    viewer: User,
    today: date,
    language: str,
    period: Period | None = None,
) -> Matrix:
    """The plan's matrix as the viewer may read it: an assignee's address only where the viewer
    may see it (app.users.visibility), an empty cell otherwise."""
    pillars = {
        pillar.id: pillar
        for pillar in session.exec(select(Pillar).where(col(Pillar.plan_id) == plan.id))
    }
    commitments = _commitments(session, plan, filters)
    tasks = _tasks(session, plan, filters, viewer=viewer, today=today, period=period)
    task_ids = [task.id for task in tasks]
    owners = _owners(session, task_ids)
    related = _related(session, [commitment.id for commitment in commitments])
    notes = _notes(session, task_ids)
    emails = visibility.addresses(session, viewer, (task.assignee_id for task in tasks))
    wanted = {c.lead_organisation_id for c in commitments if c.lead_organisation_id}
    wanted |= {organisation for ids in related.values() for organisation in ids}
    wanted |= {owner.organisation_id for found in owners.values() for owner in found}
    organisations = _organisations(session, wanted)

    by_commitment: dict[UUID, list[Task]] = defaultdict(list)
    for task in tasks:
        by_commitment[task.commitment_id].append(task)
    keep_empty = not _narrows_tasks(filters) and period is None

    def place(commitment: Commitment) -> tuple[bool, int, str, int, str]:
        pillar = pillars.get(commitment.pillar_id) if commitment.pillar_id else None
        return (
            pillar is None,
            pillar.position if pillar else 0,
            pillar.code if pillar else "",
            commitment.position,
            commitment.code,
        )

    matrix = Matrix(plan=plan, language=language, period=period)
    lines: dict[UUID, OrganisationLine] = {}
    for commitment in sorted(commitments, key=place):
        pillar = pillars.get(commitment.pillar_id) if commitment.pillar_id else None
        lead_id = commitment.lead_organisation_id
        lead = organisations.get(lead_id) if lead_id else None
        others = sorted(
            (organisations[i] for i in related.get(commitment.id, []) if i in organisations),
            key=lambda organisation: organisation.code,
        )
        annex: list[Cell] = [
            pillar.code if pillar else None,
            _text(language, pillar.title_en, pillar.title_id) if pillar else None,
            commitment.focus,
            commitment.code,
            _text(language, commitment.title_en, commitment.title_id),
            commitment.output,
            commitment.target_year,
            lead.code if lead else None,
            _name(lead, language),
            JOIN.join(organisation.code for organisation in others) or None,
            JOIN.join(_name(organisation, language) or "" for organisation in others) or None,
        ]
        own = sorted(by_commitment.get(commitment.id, []), key=_task_order)
        if not own and not keep_empty:
            continue
        for organisation in [lead, *others]:
            if organisation is not None:
                lines.setdefault(organisation.id, OrganisationLine(organisation))
        if not own:
            matrix.rows.append(annex + [None] * (len(MATRIX_KEYS) - len(annex)))
            matrix.statuses.append(None)
            continue
        for task in own:
            matrix.rows.append(annex + _task_cells(task, owners, organisations, emails, notes))
            matrix.statuses.append(task.status)
            for owner in owners.get(task.id, []):
                line = lines.setdefault(
                    owner.organisation_id, OrganisationLine(organisations[owner.organisation_id])
                )
                line.tasks += 1
                line.slips += task.slips
    matrix.organisations = sorted(lines.values(), key=lambda line: line.organisation.code)
    if period is not None:
        matrix.totals = _totals(tasks, period, today)
    return matrix


def _task_cells(
    task: Task,
    owners: dict[UUID, list[Owner]],
    organisations: dict[UUID, Organisation],
    emails: dict[UUID, str],
    notes: dict[UUID, str],
) -> list[Cell]:
    found = owners.get(task.id, [])
    codes: dict[OwnerRole, list[str]] = {OwnerRole.lead: [], OwnerRole.support: []}
    for owner in found:
        codes[owner.role].append(organisations[owner.organisation_id].code)
    lead = sorted(codes[OwnerRole.lead])
    return [
        str(task.id),
        task.title,
        lead[0] if lead else None,
        JOIN.join(sorted(codes[OwnerRole.support])) or None,
        emails.get(task.assignee_id) if task.assignee_id else None,
        task.status.value,  # put into words when written, in the reader's language
        task.progress,
        _day(task, "start_date", task.start_date),
        _day(task, "due_date", task.due_date),
        task.slips,
        notes.get(task.id),
        task.version,
    ]


def _totals(tasks: list[Task], period: Period, today: date) -> dict[str, Cell]:
    due = [t for t in tasks if t.due_date is not None and period.start <= t.due_date <= period.end]
    counted = [t for t in tasks if t.status is not TaskStatus.cancelled]
    progress = sum(100 if t.status is TaskStatus.completed else t.progress for t in counted)
    return {
        "period": period.id,
        "start": period.start,
        "end": period.end,
        "tasks": len(tasks),
        "due": len(due),
        "done": sum(1 for t in due if t.status is TaskStatus.completed),
        "late": sum(
            1 for t in due if t.status not in TASK_DONE and t.due_date and t.due_date < today
        ),
        "slips": sum(t.slips for t in tasks),
        "progress": round(progress / len(counted), 1) if counted else 0.0,
    }


# -- writing ----------------------------------------------------------------------------------

STATUS_COLUMN = MATRIX_KEYS.index("status")


def _worded(matrix: Matrix) -> Iterable[list[Cell]]:
    """The rows with each status in the reader's language."""
    for row in matrix.rows:
        status = row[STATUS_COLUMN]
        if isinstance(status, str):
            row = [*row]
            row[STATUS_COLUMN] = status_label(status, matrix.language)
        yield row


def to_csv(matrix: Matrix) -> bytes:
    """CSV as Excel writes it in Indonesia: `;` between cells, UTF-8 with a BOM, CRLF, every
    text cell guarded against formulas. The period totals are the workbook's only: a CSV is
    one table, which the import reads back."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(headers(matrix.language))
    writer.writerows([csv_text(value) for value in row] for row in _worded(matrix))
    return buffer.getvalue().encode("utf-8")


def _header_cell(sheet: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill(fill_type="solid", fgColor=HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def _header_row(sheet: Any, names: Sequence[str]) -> None:
    """A frozen header row, printed atop every page of a landscape A4, one page wide."""
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _one_page_wide(sheet)
    sheet.append([_header_cell(sheet, name) for name in names])


def _one_page_wide(sheet: Any) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _finish(sheet: Any, columns: int, rows: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows + 1, 2)}"


def sheet_title(key: str, language: str) -> str:
    """A sheet's name in the reader's language; Excel allows 31 characters and no []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", translate_context("sheet", SHEETS[key], language))[:31]


def translate_context(context: str, message: str, language: str) -> str:
    return translations(language).pgettext(context, message)


LINE_HEIGHT = 15  # points, a line of 11-point text
CHARACTERS_PER_WIDTH = 0.95  # a column of width w holds about this many characters a line
MAX_HEIGHT = 409  # Excel's tallest row


def _fit(values: Sequence[Cell], widths: Sequence[float]) -> float:
    """A row tall enough for its longest text, wrapped in columns of these widths: spreadsheet
    programs keep the height a file gives, and LibreOffice does not fit rows a file leaves
    without one."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str) and value:
            per_line = max(int(width * CHARACTERS_PER_WIDTH), 1)
            wrapped = sum(
                sum(-(-len(line) // per_line) for line in _lines(part, per_line)) or 1
                for part in value.split("\n")
            )
            lines = max(lines, wrapped)
    return float(min(LINE_HEIGHT * lines + 3, MAX_HEIGHT))


def _lines(text: str, per_line: int) -> list[str]:
    """Text broken at spaces into lines of at most `per_line` characters (or one long word)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def to_xlsx(matrix: Matrix) -> bytes:
    """The matrix sheet (a frozen, filtered header row, wrapped text, dates as dates, each
    status filled in its colour), the organisations it names, and a period's totals."""
    language = matrix.language
    workbook = Workbook()  # not write-only: rows get heights that fit their wrapped text
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title("matrix", language)
    for index, column in enumerate(MATRIX_COLUMNS):
        width = WIDTHS.get(column.key, 14)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    _header_row(sheet, headers(language))
    sheet.row_dimensions[1].height = _fit(headers(language), MATRIX_WIDTHS)
    wrapped = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    fills = {status: PatternFill(fill_type="solid", fgColor=rgb) for status, rgb in FILLS.items()}
    # Rows counted here: a worksheet's max_row looks at every cell, once per row written.
    for number, (row, status) in enumerate(zip(_worded(matrix), matrix.statuses, strict=True), 2):
        cells = []
        for key, value in zip(MATRIX_KEYS, row, strict=True):
            cell: Any = xlsx_cell(sheet, value)
            cell.alignment = wrapped if key in WRAPPED else top
            if key == "status" and status is not None:
                cell.fill = fills[status]
            cells.append(cell)
        sheet.append(cells)
        sheet.row_dimensions[number].height = _fit(
            [
                value if key in WRAPPED else None
                for key, value in zip(MATRIX_KEYS, row, strict=True)
            ],
            MATRIX_WIDTHS,
        )
    _finish(sheet, len(MATRIX_COLUMNS), len(matrix.rows))
    _organisation_sheet(workbook, matrix)
    if matrix.period is not None:
        _period_sheet(workbook, matrix)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _organisation_sheet(workbook: Workbook, matrix: Matrix) -> None:
    language = matrix.language
    sheet = workbook.create_sheet(sheet_title("organisations", language))
    for letter, width in zip("ABCDEF", ORGANISATION_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    names = [translate_context("organisations", h, language) for h in ORGANISATION_HEADERS]
    _header_row(sheet, names)
    sheet.row_dimensions[1].height = _fit(names, ORGANISATION_WIDTHS)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for number, line in enumerate(matrix.organisations, 2):
        organisation = line.organisation
        values: list[Cell] = [
            organisation.code,
            organisation.name_id,
            organisation.name_en,
            translate_context("organisation_kind", KINDS[organisation.kind], language),
            line.tasks,
            line.slips,
        ]
        cells = []
        for value in values:
            cell: Any = xlsx_cell(sheet, value)
            cell.alignment = wrapped
            cells.append(cell)
        sheet.append(cells)
        sheet.row_dimensions[number].height = _fit(values, ORGANISATION_WIDTHS)
    _finish(sheet, len(ORGANISATION_HEADERS), len(matrix.organisations))


def _period_sheet(workbook: Workbook, matrix: Matrix) -> None:
    language = matrix.language
    sheet = workbook.create_sheet(sheet_title("period", language))
    sheet.column_dimensions["A"].width = 56
    _one_page_wide(sheet)
    sheet.column_dimensions["B"].width = 14
    bold = Font(bold=True)
    for key, label in PERIOD_LINES.items():
        name = WriteOnlyCell(sheet, translate_context("period", label, language))
        name.font = bold
        value: Any = xlsx_cell(sheet, matrix.totals[key])
        if isinstance(matrix.totals[key], date):
            value.number_format = DATE_FORMAT
        sheet.append([name, value])
