"""The columns of the task exports, which imports read back, and the spreadsheet formula guard.

The order and names are a contract: scripts and spreadsheets refer to them
(docs/api.md, "Exchange").
"""

import re
from datetime import date, datetime


class Formula(str):
    """An XLSX cell holding a formula, as its text (`=SUM(A1:A3)`): read, never evaluated."""


# A cell as a reader hands it over: text from CSV; text, numbers, dates or formulas from XLSX.
Cell = str | int | float | date | datetime | None

COLUMNS: tuple[str, ...] = (
    "id",
    "plan",
    "pillar",
    "commitment",
    "title",
    "description",
    "status",
    "progress",
    "priority",
    "start_date",
    "due_date",
    "schedule",
    "lead_owner",
    "support_owners",
    "assignee_email",
    "version",
    "updated_at",
    "slips",  # last: columns before it keep their places for scripts that count them
)
# Derived from other columns or kept by the service: exported for reading, ignored on import.
READ_ONLY = frozenset({"plan", "pillar", "schedule", "updated_at", "slips"})
# Not exported: an import may add it, as the history note of the row's change.
NOTE = "note"
# Not exported either: why a row moves its task's due date (required when it does).
DUE_DATE_REASON = "due_date_reason"
IMPORTABLE = frozenset(COLUMNS) | {NOTE, DUE_DATE_REASON}
# Several support owners share one cell; codes and ids never hold it.
OWNER_SEPARATOR = ";"

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard(value: str) -> str:
    """Text safe to open in a spreadsheet: a leading apostrophe before a formula trigger, and
    before an apostrophe already there, so that `unguard` gives the original back exactly."""
    if value.startswith((*FORMULA_TRIGGERS, GUARD)):
        return GUARD + value
    return value


def unguard(value: str) -> str:
    """The inverse of `guard`, for CSV read back; an apostrophe before other text is kept."""
    if value.startswith(GUARD) and value[1:2] and value[1:].startswith((*FORMULA_TRIGGERS, GUARD)):
        return value[1:]
    return value


def normalise_header(name: str) -> str:
    """`Due date`, ` DUE-DATE ` and `due_date` name the same column."""
    return re.sub(r"[\s-]+", "_", name.strip().casefold())
