"""Reading an uploaded table: which kind of file it is, and its rows, with limits.

A file that is not CSV or XLSX is refused with 415; one that claims to be but cannot be read
(bad encoding, a broken workbook) with 422; one with too many rows or columns with 413. Nothing
here touches the database.

The work is bounded by what is read, never by what the file says of itself: a sheet may
declare a dimension of A1:XFD1048576 (or A1:C1 above a thousand rows), and a CSV may hold a
million empty lines. At most MAX_COLUMNS columns of at most `Limits.line_budget` rows, blank or
not, are looked at; one row more is refused.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import chain
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet._reader import WorkSheetParser
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.collector import paused
from app.errors import Invalid, PayloadTooLarge, UnsupportedMediaType, invalid
from app.exchange import headers
from app.exchange.columns import GUARD, Cell, Formula, unguard
from app.exchange.export import XLSX_TYPE
from app.exchange.headers import SheetKind
from app.i18n import N_, Message, plural

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other pre-2007 Office files
# A workbook saved with a password is an OLE file holding the encrypted package (MS-OFFCRYPTO):
# its directory names that stream, in UTF-16.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
# Browsers label .csv files text/csv, application/vnd.ms-excel (Windows) or text/plain.
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"})
GENERIC_TYPE = "application/octet-stream"
ACCEPTED = {"Accept-Post": f"text/csv, {XLSX_TYPE}, multipart/form-data"}
DELIMITERS = (",", ";", "\t")  # Excel in an Indonesian locale saves CSV with semicolons
MAX_FORM_FIELDS = 16  # the file and a few text fields (a comment) beside it; more is not our form
# Every column an import knows fits with room to spare; a header cell beyond is refused.
MAX_COLUMNS = 64
# Lines around the data (titles, blank lines) that a file may have beyond its task rows.
SPARE_LINES = 100
# A header row names at least this many known columns; a title line above it names fewer.
HEADER_MATCH = 2
# Sheets of a workbook looked at for a header row; the first visible one is taken otherwise.
MAX_SHEETS = 20


class Kind(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str
    filename: str = ""
    plan: str | None = None  # a multipart form's `plan` field: the plan a matrix belongs to


@dataclass(frozen=True)
class Table:
    columns: list[str]  # the columns the header names (headers.canonical); "" for a blank cell
    rows: list[tuple[int, dict[str, Cell]]]  # (row number as a spreadsheet shows it, cells)
    kind: SheetKind = SheetKind.tasks
    language: str | None = None  # a matrix's header language: its texts are in it
    plan: str | None = None  # the plan the upload's form names


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_unpacked_bytes: int

    @property
    def line_budget(self) -> int:
        """The rows of a file read at most, counted blank or not."""
        return self.max_rows + SPARE_LINES


def file_error(message: Message, **params: Any) -> Invalid:
    return invalid("file", message, **params)


def media_type(header: str) -> str:
    return header.partition(";")[0].strip().casefold()


def kind_of(upload: Upload) -> Kind:
    """Sniffed from the first bytes where they are telling, otherwise from the declared type or
    the file name."""
    declared, name = media_type(upload.content_type), upload.filename.casefold()
    if upload.data.startswith(ZIP_MAGIC):
        return Kind.xlsx
    if upload.data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in upload.data:
            raise file_error(
                N_(
                    "The workbook is protected by a password: save a copy without one "
                    "(File, Info, Protect Workbook) and send that."
                )
            )
        raise UnsupportedMediaType(
            N_("This is an old Excel workbook (.xls): save it as .xlsx or as CSV UTF-8."),
            headers=ACCEPTED,
        )
    if declared == XLSX_TYPE or name.endswith(".xlsx"):
        return Kind.xlsx
    if declared in CSV_TYPES or declared == GENERIC_TYPE or name.endswith((".csv", ".txt")):
        return Kind.csv
    raise UnsupportedMediaType(
        N_("Send a CSV (text/csv) or XLSX file, as the body or as the multipart field `file`."),
        headers=ACCEPTED,
    )


async def from_form(request: Request, max_bytes: int) -> Upload:
    """The `file` field of a multipart/form-data body (RFC 7578), parsed by Starlette.

    One file at most: a second would only be spooled to disk to be ignored. A text part may be
    as large as the body, which the body size limit has bounded before the app reads it."""
    try:
        # As a context manager, so the spooled files are closed on the way out.
        async with request.form(
            max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=max_bytes
        ) as form:
            upload = await _upload(form.get("file"))
            plan = form.get("plan")
            return replace(upload, plan=plan.strip() or None) if isinstance(plan, str) else upload
    except HTTPException as error:  # Starlette's 400 for a body it cannot parse, or over limits
        raise file_error(
            N_(
                "The multipart body cannot be read: send its boundary and one file, "
                "in the field `file`."
            )
        ) from error


async def _upload(part: UploadFile | str | None) -> Upload:
    if part is None:
        raise file_error(N_("The multipart body has no field named `file`."))
    if isinstance(part, str):  # sent without a filename (curl -F 'file=<tasks.csv'): as text
        return Upload(part.encode(), GENERIC_TYPE)
    return Upload(await part.read(), part.content_type or GENERIC_TYPE, part.filename or "")


@paused()
def read(upload: Upload, limits: Limits) -> Table:
    if kind_of(upload) is Kind.xlsx:
        table = _table(_xlsx_rows(upload.data, limits), limits)
    else:
        table = _table(_csv_rows(upload.data), limits)
    return replace(table, plan=upload.plan)


def _blank(values: list[Cell]) -> bool:
    return all(value is None or value == "" for value in values)


def _table(source: Iterator[list[Cell]], limits: Limits) -> Table:
    """The header row names the columns; the non-blank rows after it are the data, numbered as
    a spreadsheet numbers them. The header row is the first that names known columns (title
    lines may stand above it), or else the first non-blank row. More rows than the limit are
    refused."""
    numbered = _budgeted(source, limits.line_budget)
    header, wide, looked = _header(numbered)
    if wide:
        raise PayloadTooLarge(
            plural(
                "The file has more than {limit} column: keep the columns of the export, and note.",
                "The file has more than {limit} columns: keep the columns of the export, and note.",
                "limit",
            ),
            limit=MAX_COLUMNS,
        )
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    kind = headers.kind_of(names)
    columns = [headers.canonical(name, kind) if name else "" for name in names]
    if not any(columns):
        raise file_error(N_("The file is empty: its first row must name the columns."))
    named = [(index, name) for index, name in enumerate(columns) if name]
    rows: list[tuple[int, dict[str, Cell]]] = []
    for number, values, _ in chain(looked, numbered):
        if not values:
            continue  # spreadsheets keep blank lines around the data
        if len(rows) == limits.max_rows:
            raise PayloadTooLarge(
                plural(
                    "The file has more than {limit} task row: split it.",
                    "The file has more than {limit} task rows: split it.",
                    "limit",
                ),
                limit=limits.max_rows,
            )
        width = len(values)  # a short row's missing cells are empty
        rows.append((number, {name: values[i] if i < width else None for i, name in named}))
    return Table(columns, rows, kind, headers.language_of(names))


def _matches(values: list[Cell]) -> int:
    return sum(isinstance(cell, str) and headers.known(cell) for cell in values)


Numbered = Iterator[tuple[int, list[Cell], bool]]


def _header(numbered: Numbered) -> tuple[list[Cell], bool, list[tuple[int, list[Cell], bool]]]:
    """The header row, whether it is too wide, and the rows after it that were read while
    looking for it (at most SPARE_LINES)."""
    first: tuple[list[Cell], bool] | None = None
    looked: list[tuple[int, list[Cell], bool]] = []
    for number, values, wide in numbered:
        if not (values or wide):
            continue
        if wide or _matches(values) >= HEADER_MATCH:
            return values, wide, []
        looked.append((number, values, wide))
        if first is None:
            first = values, wide
        if len(looked) > SPARE_LINES:
            break
    if first is None:
        return [], False, []
    # No row names known columns: the first one is the header, the others data after all.
    return first[0], first[1], looked[1:]


def _budgeted(source: Iterator[list[Cell]], budget: int) -> Iterator[tuple[int, list[Cell], bool]]:
    """Each row numbered from 1, cut to MAX_COLUMNS cells ([] when they are blank), and whether
    it has a value beyond them. A row past the budget is refused, blank or not."""
    for number, values in enumerate(source, start=1):
        if number > budget:
            raise PayloadTooLarge(
                plural(
                    "The file has more than {limit} row, blank or not: split it, or delete the "
                    "empty rows below the data.",
                    "The file has more than {limit} rows, blank or not: split it, or delete the "
                    "empty rows below the data.",
                    "limit",
                ),
                limit=budget,
            )
        known = values[:MAX_COLUMNS]
        yield number, [] if _blank(known) else known, not _blank(values[MAX_COLUMNS:])


def _decode(data: bytes) -> str:
    """UTF-16 with its byte order mark is what Excel saves as "Unicode text"; otherwise UTF-8
    (with or without a BOM), read strictly, and failing that Windows-1252, which Excel on
    Windows saves as plain "CSV"."""
    encodings: tuple[str, ...]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error(N_("The CSV is neither UTF-8 nor Windows-1252 text: save it as “CSV UTF-8”."))


def _delimiter(content: str) -> str:
    """The separator under which a line of the first few names the most known columns (a
    title line may stand above the header); a comma when none names any."""
    lines = content.split("\n", SPARE_LINES)[:SPARE_LINES]
    known = [
        max(
            sum(headers.known(name) for name in line.split(delimiter, MAX_COLUMNS)[:MAX_COLUMNS])
            for line in lines
        )
        for delimiter in DELIMITERS
    ]
    return DELIMITERS[known.index(max(known))]


def _csv_rows(data: bytes) -> Iterator[list[Cell]]:
    content = _decode(data)
    if "\0" in content:  # not text; PostgreSQL would refuse it in any column
        line = content.count("\n", 0, content.index("\0")) + 1
        raise file_error(N_("The CSV cannot be read near line {line}."), line=line)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(content))
    try:
        for record in reader:
            # Most values have no guard to take off: only those starting with one are looked at.
            yield [unguard(value) if value[:1] == GUARD else value for value in record]
    except csv.Error as error:
        raise file_error(
            N_("The CSV cannot be read near line {line}."), line=reader.line_num
        ) from error


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[Cell]]:
    _check_unpacked_size(data, limits)
    try:
        # Formulas as their text (data_only=False), never evaluated nor taken from the values a
        # spreadsheet cached: cells.parse refuses them where a value is read.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # any failure to parse an untrusted workbook is a bad file
        raise file_error(N_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = _sheet(workbook, limits)
        rows, merges = _sheet_rows(sheet, limits.line_budget + 1)
        _fill_merged(merges, rows)
    except PayloadTooLarge:
        raise
    except Exception as error:
        raise file_error(N_("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()
    yield from rows


def _sheet(workbook: Any, limits: Limits) -> Any:
    """Of the visible sheets, the one named `tasks`, or else the first whose first rows hold a
    header of known columns, or else the first. Hidden sheets (lists behind drop-downs,
    working notes) are never read."""
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    if not visible:
        raise file_error(N_("The workbook has no visible sheet."))
    named = [sheet for sheet in visible if sheet.title.casefold() == "tasks"]
    if named:
        return named[0]
    for sheet in visible[:MAX_SHEETS]:
        rows, _ = _sheet_rows(sheet, SPARE_LINES)
        if any(_matches(row) >= HEADER_MATCH for row in rows):
            return sheet
    return visible[0]


Merge = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row, from 1


def _sheet_rows(sheet: Any, count: int) -> tuple[list[list[Cell]], list[Merge]]:
    """The first `count` rows, from row 1 so rows keep their numbers, and the sheet's merged
    ranges when it has no more rows than that.

    Read from openpyxl's parser of the sheet's XML, as its read-only worksheet reads it, but
    from the parser's cells as they are: no cell objects, no padding. The worksheet would pad
    every row to the dimension the sheet states, and yield rows up to its height (or stop at a
    height that is too small): that is the file's claim, so it is not used. A row is as wide as
    its rightmost cell, cut to MAX_COLUMNS cells and, when the rest of it is not blank, one more
    cell that says so. A row number seen before (rows out of order) is skipped, as openpyxl
    does.

    The merged ranges (<mergeCells>) come after the sheet's data, so the same parse reads them
    (openpyxl's parser keeps them) once it has read every row. A sheet with more rows than
    `count` is refused for its size (`_budgeted`), so its merges are not looked for."""
    workbook = sheet.parent
    rows: list[list[Cell]] = []
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,  # formulas as their text, never evaluated nor taken as cached
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > count:
                rows.extend([] for _ in range(len(rows), count))
                return rows, []
            if number <= len(rows):
                continue
            rows.extend([] for _ in range(len(rows) + 1, number))
            rows.append(_xlsx_row(cells))
    ranges = parser.merged_cells.mergeCell if parser.merged_cells is not None else []
    return rows, [(r.min_col, r.min_row, r.max_col, r.max_row) for r in ranges]


def _xlsx_row(cells: list[dict[str, Any]]) -> list[Cell]:
    """The values of a row of the parser's cells (each a dict of its column, value, and type)."""
    if not cells:
        return []
    values: list[Cell] = [None] * min(max(cell["column"] for cell in cells), MAX_COLUMNS)
    beyond: Cell = None
    for cell in cells:
        column = cell["column"]
        if column <= MAX_COLUMNS:
            values[column - 1] = _xlsx_cell(cell["value"], cell["data_type"])
        elif beyond is None and cell["value"] not in ("", None):
            beyond = _xlsx_cell(cell["value"], cell["data_type"])
    return values if beyond is None else [*values, beyond]


def _fill_merged(merges: list[Merge], rows: list[list[Cell]]) -> None:
    """Merged cells as Excel users make them: a strategy written once beside its several
    commitments. A merged range keeps its value in its top-left cell; each column of the range
    is filled down from its top cell. The ranges are as many as the sheet's XML holds (bounded
    by the unpacked size); the filling is bounded by the rows and columns read."""
    budget = len(rows) * MAX_COLUMNS
    for min_col, min_row, max_col, max_row in merges:
        top = min_row - 1
        if top >= len(rows):
            continue
        for column in range(min_col - 1, min(max_col, MAX_COLUMNS)):
            value = rows[top][column] if column < len(rows[top]) else None
            for below in rows[min_row : min(max_row, len(rows))]:
                budget -= 1
                if budget < 0:
                    raise file_error(N_("The sheet merges more cells than it has."))
                while len(below) <= column:
                    below.append(None)
                if below[column] is None:
                    below[column] = value


def _check_unpacked_size(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb before opening it. zipfile never inflates a member beyond the size
    its header declares, so the declared sizes bound the work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise file_error(N_("The file is not a readable XLSX workbook.")) from error
    if unpacked > limits.max_unpacked_bytes:
        raise PayloadTooLarge(
            plural(
                "The workbook unpacks to more than {limit} byte.",
                "The workbook unpacks to more than {limit} bytes.",
                "limit",
            ),
            limit=limits.max_unpacked_bytes,
        )


def _xlsx_cell(value: Any, data_type: str) -> Cell:
    if data_type == "f":  # a formula's text (an array formula's too), never its result
        return Formula(str(value))
    if isinstance(value, bool):
        return str(value).upper()  # TRUE is not a number: the column's check says so
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)
