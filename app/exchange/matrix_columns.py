"""The columns of a plan as its matrix: the shape of a Perpres annex, one row per task.

Strategi, fokus strategi, intervensi kunci, keluaran, target waktu pelaksanaan, K/L penanggung
jawab and K/L terkait are the annex's own columns (Perpres 87/2025 Lampiran, as Perpres 101/2022
words them); the task columns follow. The matrix export writes these headers and the matrix import
reads them back, in any language with a catalogue: each header is an English msgid under the
msgctxt "matrix", so a third language is one more .po file. A column's key is what scripts use;
the order is a contract like the task exports' (docs/api.md, "Exchange").
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from app.exchange.columns import normalise_header
from app.i18n import SUPPORTED, translations
from app.i18n.terms import in_context

CONTEXT = "matrix"


@dataclass(frozen=True)
class MatrixColumn:
    key: str
    header: str  # English, the msgid of its translations

    def title(self, language: str) -> str:
        """The header in `language` (English where the language has no catalogue)."""
        return translations(language).pgettext(CONTEXT, self.header)


MATRIX_COLUMNS: tuple[MatrixColumn, ...] = (
    MatrixColumn("strategy_code", in_context("matrix", "Strategy code")),
    MatrixColumn("strategy", in_context("matrix", "Strategy")),
    MatrixColumn("focus", in_context("matrix", "Focus strategy")),
    MatrixColumn("commitment_code", in_context("matrix", "Key intervention code")),
    MatrixColumn("commitment", in_context("matrix", "Key intervention")),
    MatrixColumn("output", in_context("matrix", "Output")),
    MatrixColumn("target_year", in_context("matrix", "Target year")),
    MatrixColumn(
        "lead_organisation_code", in_context("matrix", "Responsible ministry/agency code")
    ),
    MatrixColumn("lead_organisation", in_context("matrix", "Responsible ministry/agency")),
    MatrixColumn(
        "related_organisation_codes", in_context("matrix", "Related ministries/agencies codes")
    ),
    MatrixColumn("related_organisations", in_context("matrix", "Related ministries/agencies")),
    MatrixColumn("task_id", in_context("matrix", "Task id")),
    MatrixColumn("task", in_context("matrix", "Task")),
    MatrixColumn("lead_owner", in_context("matrix", "Task owner code")),
    MatrixColumn("support_owners", in_context("matrix", "Supporting owners")),
    MatrixColumn("assignee_email", in_context("matrix", "Assignee")),
    MatrixColumn("status", in_context("matrix", "Status")),
    MatrixColumn("progress", in_context("matrix", "Progress (%)")),
    MatrixColumn("start_date", in_context("matrix", "Start date")),
    MatrixColumn("due_date", in_context("matrix", "Due date")),
    MatrixColumn("slips", in_context("matrix", "Slips")),
    MatrixColumn("latest_note", in_context("matrix", "Latest note")),
    MatrixColumn("version", in_context("matrix", "Version")),
)
MATRIX_KEYS: tuple[str, ...] = tuple(column.key for column in MATRIX_COLUMNS)
# Several codes share one cell (related organisations, support owners), as in the task exports.
CODE_SEPARATOR = ";"


def headers(language: str) -> list[str]:
    """The header row in `language`."""
    return [column.title(language) for column in MATRIX_COLUMNS]


@cache
def _keys_by_header() -> Mapping[str, str]:
    known: dict[str, str] = {}
    for column in MATRIX_COLUMNS:
        known[normalise_header(column.key)] = column.key
        for language in SUPPORTED:
            known.setdefault(normalise_header(column.title(language)), column.key)
    return known


def key_of(header: str) -> str | None:
    """The column a sheet's header names, in any supported language or as its key
    (`Kode Strategi`, `strategy code` and `strategy_code` alike); None for another column."""
    return _keys_by_header().get(normalise_header(header))
