"""Which columns a file's header row names, and so which kind of sheet it is.

Two kinds of sheet come in: the task sheet of the task exports (columns.py) and the plan matrix,
the shape of the Perpres 87/2025 annex (matrix_columns.py). A header cell is matched ignoring
case, spaces and punctuation, so `Due date`, ` DUE-DATE `, `due_date` and `K/L Terkait`,
`k.l terkait` name the columns they look like. A sheet is a matrix when its header names a
column that only the matrix has.
"""

import re
from enum import StrEnum

from app.exchange.columns import IMPORTABLE
from app.exchange.matrix_columns import MATRIX_COLUMNS
from app.i18n import SUPPORTED


class SheetKind(StrEnum):
    tasks = "tasks"
    matrix = "matrix"


def header_key(name: str) -> str:
    """A header cell as it is matched: letters and digits only, case folded."""
    return re.sub(r"[\W_]+", "", name.casefold())


TASK_SHEET: dict[str, str] = {header_key(name): name for name in IMPORTABLE}
# Columns a matrix may have beyond the vocabulary: the plan it belongs to (or the request
# names it), a note for the history, why a due date moves, and the numbers an annex counts its
# rows with.
PLAN = "plan"
NOTE = "note"
ROW_NUMBER = "no"
DUE_DATE_REASON = "due_date_reason"
MATRIX_EXTRA = {
    PLAN: (PLAN, "Rencana", "Rencana Aksi"),
    NOTE: (NOTE, "Catatan"),
    DUE_DATE_REASON: (DUE_DATE_REASON, "Alasan Perubahan Tenggat"),
}
MATRIX_EXTRA[ROW_NUMBER] = ("No", "Nomor", "Number")


def _matrix() -> tuple[dict[str, str], dict[str, str]]:
    """The matrix's header keys: to its columns, and to the language of a header that is
    another language's too ("Status") only in SOURCE. Target Waktu is how annexes shorten
    Target Waktu Pelaksanaan."""
    columns: dict[str, str] = {}
    languages: dict[str, str] = {}
    for column in MATRIX_COLUMNS:
        columns[header_key(column.key)] = column.key
        for language in SUPPORTED:
            key = header_key(column.title(language))
            columns.setdefault(key, column.key)
            languages.setdefault(key, language)
    for key, names in MATRIX_EXTRA.items():
        columns |= {header_key(name): key for name in names}
    columns[header_key("Target Waktu")] = "target_year"
    return columns, languages


MATRIX, LANGUAGES = _matrix()
# The names of the matrix that the task sheet does not have: they say a sheet is a matrix.
MATRIX_ONLY: frozenset[str] = frozenset(
    key for key, column in MATRIX.items() if key not in TASK_SHEET and column not in MATRIX_EXTRA
)


def language_of(names: list[str]) -> str | None:
    """The language a matrix's header row is written in: the one most of its headers are
    written in alone (keys and headers alike in every language tell nothing)."""
    counts: dict[str, int] = {}
    for name in names:
        key = header_key(name)
        if key in LANGUAGES and key not in TASK_SHEET and key not in _SHARED:
            counts[LANGUAGES[key]] = counts.get(LANGUAGES[key], 0) + 1
    return max(counts, key=lambda language: counts[language]) if counts else None


# Headers alike in several languages, and the keys themselves.
_SHARED = frozenset(header_key(column.key) for column in MATRIX_COLUMNS) | frozenset(
    header_key(column.title(language))
    for column in MATRIX_COLUMNS
    for language in SUPPORTED
    if len({header_key(column.title(other)) for other in SUPPORTED}) == 1
)


def known(name: str) -> bool:
    key = header_key(name)
    return key in TASK_SHEET or key in MATRIX


def kind_of(names: list[str]) -> SheetKind:
    keys = {header_key(name) for name in names}
    return SheetKind.matrix if keys & MATRIX_ONLY else SheetKind.tasks


def canonical(name: str, kind: SheetKind) -> str:
    """The column a header cell names in a sheet of this kind; an unknown one as written,
    normalised (so that the answer names it recognisably)."""
    vocabulary = MATRIX if kind is SheetKind.matrix else TASK_SHEET
    found = vocabulary.get(header_key(name))
    if found is not None:
        return found
    return re.sub(r"[\s-]+", "_", name.strip().casefold())
