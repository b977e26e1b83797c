"""Every task matching the filters of GET /tasks, as CSV (RFC 4180) or XLSX rows."""

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement
from sqlmodel import Session, select

from app import dates
from app.exchange.columns import COLUMNS, OWNER_SEPARATOR, Cell, guard
from app.http import PageParams, decode_cursor, paginate
from app.models import OwnerRole, Task, User
from app.tasks import query
from app.tasks.schemas import TaskFilters, TaskPublic
from app.users import visibility

# Tasks read per query: bounded memory for the ORM rows, few round trips.
BATCH = 500
CSV_TYPE = "text/csv; charset=utf-8; header=present"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Starts of text that Excel would otherwise take for a formula or an error code.
FORMULA_OR_ERROR = ("=", "+", "-", "@", "#")
WIDTHS = {"id": 38, "title": 48, "description": 48, "commitment": 16, "assignee_email": 28}

Row = list[Cell]


def batches(
    session: Session,
    filters: TaskFilters,
    *,
    user_id: UUID,
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
    batch_size: int = BATCH,
) -> Iterator[list[TaskPublic]]:
    """The matching tasks in creation order (as GET /tasks), a batch at a time."""
    conditions = query.conditions(session, filters, user_id=user_id, today=today)
    statement = select(Task).where(*conditions, *extra)
    cursor: str | None = None
    while True:
        page = PageParams(limit=batch_size, cursor=decode_cursor(cursor) if cursor else None)
        tasks, cursor = paginate(session, statement, query.PAGE_KEY, page)
        yield query.publics(session, tasks, today)
        if cursor is None:
            return


def _row(task: TaskPublic, emails: dict[UUID, str]) -> Row:
    lead = [o.organisation.code for o in task.owners if o.role is OwnerRole.lead]
    support = [o.organisation.code for o in task.owners if o.role is OwnerRole.support]
    return [
        str(task.id),
        task.plan.code,
        task.pillar.code if task.pillar else None,
        task.commitment.code,
        task.title,
        task.description,
        task.status.value,
        task.progress,
        task.priority.value,
        _day(task, "start_date", task.start_date),
        _day(task, "due_date", task.due_date),
        task.schedule.value,
        lead[0] if lead else None,
        f"{OWNER_SEPARATOR} ".join(support) or None,
        emails.get(task.assignee_id) if task.assignee_id else None,
        task.version,
        task.updated_at.astimezone(UTC),
        task.slips,
    ]


def _day(task: TaskPublic, column: str, day: date | None) -> date | str | None:
    """A day out of range (written around the API) as its ISO text: Excel has no dates
    before 1900, and the import refuses it with a clear row error."""
    if dates.in_range(day):
        return day
    dates.bad_row("export", task.id, **{column: day})
    return day.isoformat() if day else None


def rows(
    session: Session, filters: TaskFilters, *, viewer: User, today: date, batch_size: int = BATCH
) -> Iterator[Row]:
    """The export as the viewer may read it: an assignee's address only where the viewer may
    see it (app.users.visibility), an empty cell otherwise."""
    for tasks in batches(session, filters, user_id=viewer.id, today=today, batch_size=batch_size):
        emails = visibility.addresses(session, viewer, (task.assignee_id for task in tasks))
        yield from (_row(task, emails) for task in tasks)


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return guard(value) if isinstance(value, str) else str(value)


def to_csv(table: Iterator[Row]) -> bytes:
    """RFC 4180 (CRLF, quotes doubled), UTF-8 with a BOM so that spreadsheet programs read the
    Indonesian text right, and every text cell guarded against formulas."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([csv_text(value) for value in row] for row in table)
    return buffer.getvalue().encode("utf-8")


def xlsx_cell(sheet: object, value: Cell) -> object:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))  # Excel has no zones: UTC
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        # Always text, never a formula or an error code, whatever it starts with: what Excel
        # stores for a cell typed with a leading apostrophe.
        cell.data_type = "s"
        if value.startswith(FORMULA_OR_ERROR):
            cell.quotePrefix = True
    else:
        cell = WriteOnlyCell(sheet, value)
    return cell


def to_xlsx(table: Iterator[Row]) -> bytes:
    """One sheet, `tasks`: a bold, frozen header row, dates as dates, UTC times as times."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("tasks")
    for index, name in enumerate(COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
