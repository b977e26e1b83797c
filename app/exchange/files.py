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
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from openpyxl import load_workbook
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.errors import Invalid, PayloadTooLarge, UnsupportedMediaType, invalid
from app.exchange.columns import IMPORTABLE, Cell, normalise_header, unguard
from app.exchange.export import XLSX_TYPE
from app.i18n import N_, Message, plural

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other pre-2007 Office files
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


class Kind(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str
    filename: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]  # as the header names them, normalised; "" for a blank header cell
    rows: list[tuple[int, dict[str, Cell]]]  # (row number as a spreadsheet shows it, cells)


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
            return await _upload(form.get("file"))
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


def read(upload: Upload, limits: Limits) -> Table:
    if kind_of(upload) is Kind.xlsx:
        return _table(_xlsx_rows(upload.data, limits), limits)
    return _table(_csv_rows(upload.data), limits)


def _blank(values: list[Cell]) -> bool:
    return all(value is None or value == "" for value in values)


def _table(source: Iterator[list[Cell]], limits: Limits) -> Table:
    """The first non-blank row names the columns; the non-blank rows after it are the data,
    numbered as a spreadsheet numbers them. More rows than the limit are refused."""
    numbered = _budgeted(source, limits.line_budget)
    header, wide = next(
        ((values, wide) for _, values, wide in numbered if values or wide), ([], False)
    )
    if wide:
        raise PayloadTooLarge(
            plural(
                "The file has more than {limit} column: keep the columns of the export, and note.",
                "The file has more than {limit} columns: keep the columns of the export, and note.",
                "limit",
            ),
            limit=MAX_COLUMNS,
        )
    columns = [normalise_header(str(cell)) if cell is not None else "" for cell in header]
    if not any(columns):
        raise file_error(N_("The file is empty: its first row must name the columns."))
    rows: list[tuple[int, dict[str, Cell]]] = []
    for number, values, _ in numbered:
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
        padded = [*values, *[None] * (len(columns) - len(values))]  # short rows: empty cells
        cells = zip(columns, padded, strict=False)
        rows.append((number, {name: cell for name, cell in cells if name}))
    return Table(columns, rows)


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
    # UTF-16 with its byte order mark is what Excel saves as "Unicode text".
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise file_error(N_("The CSV is not UTF-8 text: save it as “CSV UTF-8”.")) from error


def _delimiter(content: str) -> str:
    first = content.partition("\n")[0]
    known = [
        sum(
            normalise_header(name) in IMPORTABLE
            for name in first.split(delimiter, MAX_COLUMNS)[:MAX_COLUMNS]
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
            yield [unguard(value) for value in record]
    except csv.Error as error:
        raise file_error(
            N_("The CSV cannot be read near line {line}."), line=reader.line_num
        ) from error


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[Cell]]:
    _check_unpacked_size(data, limits)
    try:
        # data_only: a formula cell gives the value the spreadsheet showed, never its text.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any failure to parse an untrusted workbook is a bad file
        raise file_error(N_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook["tasks"] if "tasks" in workbook.sheetnames else workbook.worksheets[0]
        # The stated dimension is the file's claim: openpyxl would pad every row to its width
        # and yield rows up to its height (or stop at a height that is too small).
        sheet.reset_dimensions()
        # From row 1, so rows keep their numbers; each row as wide as its last cell (at most
        # Excel's 16,384), and one row past the budget, so that `_budgeted` sees a file that
        # goes beyond it.
        rows = sheet.iter_rows(min_row=1, max_row=limits.line_budget + 1, values_only=True)
        for values in rows:
            yield [_xlsx_cell(value) for value in values]
    except Exception as error:
        raise file_error(N_("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()


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


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, bool):
        return str(value).upper()  # TRUE is not a number: the column's check says so
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)
