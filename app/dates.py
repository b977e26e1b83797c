"""The one range of dates and instants Pantau accepts, from every door (API bodies and query
parameters, imports, the command line), and the record of a row that lies outside it anyway
(docs/decisions/0019-the-range-of-dates.md).

Dates outside it are typing slips (0202 for 2026, 9999 for "no deadline") and break shared
work: `date.max + 1 day` overflows a calendar feed, a reminder pass looks back to year 1 day
by day, and an aware 9999-12-31T23:59-23:59 has no UTC form.
"""

import logging
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from pydantic_core import PydanticCustomError

from app.ops.metrics import BAD_ROWS

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
# Instants in that range as UTC; an instant with its zone is checked after conversion.
EARLIEST_INSTANT = datetime.combine(EARLIEST, time.min, tzinfo=UTC)
LATEST_INSTANT = datetime.combine(LATEST, time.max, tzinfo=UTC)
OUT_OF_RANGE = "date_out_of_range"  # the pydantic error type, translated by app.i18n

logger = logging.getLogger("pantau.dates")


def in_range(day: date | None) -> bool:
    return day is None or EARLIEST <= day <= LATEST


def _error() -> PydanticCustomError:
    return PydanticCustomError(
        OUT_OF_RANGE,
        "Must be between {earliest} and {latest}.",
        {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
    )


def check_day(day: date) -> date:
    if not in_range(day):
        raise _error()
    return day


def check_instant(instant: datetime) -> datetime:
    """An aware instant whose UTC form lies in the range; the conversion itself may overflow
    at the edges of what Python can hold (year 1 or 9999 with an offset)."""
    try:
        utc = instant.astimezone(UTC)
    except OverflowError:
        raise _error() from None
    if not EARLIEST_INSTANT <= utc <= LATEST_INSTANT:
        raise _error()
    return instant


# Days and instants of requests are app.http's IsoDate and IsoDateTime, which check them here.


def bad_row(function: str, row_id: UUID | str, **fields: Any) -> None:
    """A row dated out of range that a shared function met (a calendar, a pass, an export):
    the function goes on for the others, and the row is logged and counted for an operator
    to repair."""
    logger.warning(
        "a row dated out of range",
        extra={"function": function, "row_id": str(row_id), **_texts(fields)},
    )
    BAD_ROWS.labels(function, OUT_OF_RANGE).inc()


def _texts(fields: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in fields.items()}
