"""One import row's cells as typed values, or the problems that stop them being read."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app import dates
from app.exchange.columns import OWNER_SEPARATOR, READ_ONLY, Cell, Formula
from app.i18n import N_, Message
from app.models import Priority, TaskStatus


@dataclass(frozen=True)
class Problem:
    column: str
    message: Message
    params: dict[str, Any] = field(default_factory=dict)


class CellError(ValueError):
    def __init__(self, message: Message, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Row:
    """The cells of the columns the file has; None is an empty cell."""

    number: int
    values: dict[str, Any]

    def has(self, column: str) -> bool:
        return column in self.values

    def get(self, column: str) -> Any:
        return self.values.get(column)


def _plain(cell: Cell) -> str | None:
    """A cell as text: numbers without a needless `.0`, dates in ISO form."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date | datetime):
        return cell.isoformat()
    return str(cell)


def text(cell: Cell) -> str | None:
    value = _plain(cell)
    return (value.strip() or None) if value is not None else None


def long_text(cell: Cell) -> str | None:
    """Descriptions keep their spacing and line breaks; a blank cell is no description."""
    value = _plain(cell)
    return value if value is not None and value.strip() else None


def integer(cell: Cell) -> int | None:
    if isinstance(cell, int) or (isinstance(cell, float) and cell.is_integer()):
        return int(cell)
    value = text(cell)
    if value is None:
        return None
    if not value.lstrip("+-").isdigit() or not value.isascii():
        raise CellError(N_("Not a whole number."))
    return int(value)


def day(cell: Cell) -> date | None:
    found = _day(cell)
    if not dates.in_range(found):
        raise CellError(
            N_("A date between {earliest} and {latest}, please."),
            earliest=dates.EARLIEST.isoformat(),
            latest=dates.LATEST.isoformat(),
        )
    return found


NOT_A_DATE = N_("Not a date: write YYYY-MM-DD, DD/MM/YYYY or 17 Agustus 2027.")
# Month names and their short forms, Indonesian and English, as people type them.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "peb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "ags", "agus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")  # day first, as Indonesia writes
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})")
MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


def _day(cell: Cell) -> date | None:
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise CellError(NOT_A_DATE)
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell)
    if value is None:
        return None
    try:
        return _date_text(value)
    except (ValueError, KeyError):
        raise CellError(NOT_A_DATE) from None


def _date_text(value: str) -> date:
    """ISO (2027-08-17), day first (17/08/2027, 17-08-2027, 17.08.2027), or with the month's
    name in Indonesian or English (17 Agustus 2027, 17 Agt 2027, August 17, 2027)."""
    if found := NUMERIC_DATE.fullmatch(value):
        day, month, year = found.groups()
        return date(int(year), int(month), int(day))
    if found := DAY_MONTH_YEAR.fullmatch(value):
        day, name, year = found.groups()
        return date(int(year), MONTHS[name.casefold()], int(day))
    if found := MONTH_DAY_YEAR.fullmatch(value):
        name, day, year = found.groups()
        return date(int(year), MONTHS[name.casefold()], int(day))
    return date.fromisoformat(value)


def year(cell: Cell) -> int | None:
    """A target year: a number, or text of four digits (a date gives its year)."""
    if isinstance(cell, date):
        return cell.year
    value = text(cell)
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}", value):
        raise CellError(N_("Not a year: write it as four digits, such as 2027."))
    return int(value)


def choice(enum: type[StrEnum]) -> Callable[[Cell], Any]:
    def parse(cell: Cell) -> Any:
        value = text(cell)
        if value is None:
            return None
        try:
            return enum(value.casefold())
        except ValueError:
            raise CellError(
                N_("Unknown value: use one of {choices}."), choices=", ".join(enum)
            ) from None

    return parse


def task_id(cell: Cell) -> UUID | None:
    value = text(cell)
    try:
        return UUID(value) if value is not None else None
    except ValueError:
        raise CellError(N_("Not a task id (a UUID).")) from None


def owner_list(cell: Cell) -> list[str]:
    value = text(cell) or ""
    return [part.strip() for part in value.split(OWNER_SEPARATOR) if part.strip()]


def email(cell: Cell) -> str | None:
    value = text(cell)
    return value.casefold() if value else None


PARSERS: dict[str, Callable[[Cell], Any]] = {
    "id": task_id,
    "commitment": text,
    "title": text,
    "description": long_text,
    "status": choice(TaskStatus),
    "progress": integer,
    "priority": choice(Priority),
    "start_date": day,
    "due_date": day,
    "lead_owner": text,
    "support_owners": owner_list,
    "assignee_email": email,
    "version": integer,
    "note": text,
    "due_date_reason": text,
}


FORMULA = N_(
    "A formula ({formula}): imports read values, never formulas; copy the column and paste it "
    "back as values."
)


def parse(number: int, cells: dict[str, Cell]) -> tuple[Row, list[Problem]]:
    """Every cell read; the problems of all unreadable cells at once, so one pass fixes them."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, cell in cells.items():
        if column in READ_ONLY:
            continue
        if isinstance(cell, Formula):
            problems.append(Problem(column, FORMULA, {"formula": cell[:100]}))
            continue
        try:
            values[column] = PARSERS[column](cell)
        except CellError as error:
            problems.append(Problem(column, error.message, error.params))
    return Row(number, values), problems
