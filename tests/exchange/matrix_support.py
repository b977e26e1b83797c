"""Plan matrices as coordinators write them: headers of the vocabulary in a language, merged
strategy and commitment cells, title lines above the header."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from app.exchange.matrix_columns import MATRIX_COLUMNS

BY_KEY = {column.key: column for column in MATRIX_COLUMNS}


def header(keys: list[str], language: str) -> list[str]:
    return [BY_KEY[key].title(language) if key in BY_KEY else key for key in keys]


def matrix_xlsx(
    keys: list[str],
    rows: list[list[Any]],
    *,
    language: str = "id",
    merges: tuple[str, ...] = (),
    titles: tuple[str, ...] = (),
    hidden_first: list[list[Any]] | None = None,
) -> bytes:
    """A workbook whose sheet has the title lines, then the header in `language`, then the
    rows; `merges` as Excel ranges (their cells other than the top-left left empty), and
    before it, when given, a hidden sheet of other rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if hidden_first is not None:
        sheet.title = "lists"
        for row in hidden_first:
            sheet.append(row)
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("matrix")
    for title in titles:
        sheet.append([title])
    sheet.append(header(keys, language))
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def matrix_csv(
    keys: list[str],
    rows: list[list[Any]],
    *,
    language: str = "en",
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header(keys, language))
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return buffer.getvalue().encode(encoding)
