"""Spreadsheets that lie about their size, built as real files: a workbook written by openpyxl
whose sheet part is then rewritten, as a hostile or broken program would write it."""

import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
FAR_CELL = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def workbook(*rows: list[Any], dimension: str, extra_xml: str = "", after_data: str = "") -> bytes:
    """The rows in a sheet that declares `dimension`, with `extra_xml` after its last row and
    `after_data` after the sheet's data (where merged ranges are)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "tasks"
    for row in rows:
        sheet.append(row)
    written = io.BytesIO()
    book.save(written)
    source = zipfile.ZipFile(written)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                data = _rewritten(data.decode(), dimension, extra_xml, after_data).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _rewritten(xml: str, dimension: str, extra_xml: str, after_data: str) -> str:
    xml, count = re.subn(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>', xml)
    assert count == 1
    return xml.replace("</sheetData>", extra_xml + "</sheetData>" + after_data)
