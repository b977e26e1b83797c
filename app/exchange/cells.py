"""One import row's cells as typed values, or the problems that stop them being read."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app import dates
from app.exchange.columns import OWNER_SEPARATOR, READ_ONLY, Cell
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


def _day(cell: Cell) -> date | None:
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise CellError(N_("Not a date: write YYYY-MM-DD."))
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell)
    try:
        return date.fromisoformat(value) if value is not None else None
    except ValueError:
        raise CellError(N_("Not a date: write YYYY-MM-DD.")) from None


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


def parse(number: int, cells: dict[str, Cell]) -> tuple[Row, list[Problem]]:
    """Every cell read; the problems of all unreadable cells at once, so one pass fixes them."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, cell in cells.items():
        if column in READ_ONLY:
            continue
        try:
            values[column] = PARSERS[column](cell)
        except CellError as error:
            problems.append(Problem(column, error.message, error.params))
    return Row(number, values), problems
