"""What a file is, read from its bytes: the name and the declared type are the sender's word,
and a page named `report.pdf` may be HTML that a browser would run.

Accepted: PDF, PNG, JPEG, the office documents that ministries write (XLSX, DOCX, ODT, ODS,
as zip containers with their markers; none with macros) and plain UTF-8 text. Refused: HTML,
SVG and XML (script), archives, executables, anything else."""

import io
import zipfile
from dataclasses import dataclass

PDF, PNG, JPEG, TEXT = "application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# The names each kind may carry; a file whose name says another kind is refused.
SUFFIXES = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    XLSX: (".xlsx",),
    DOCX: (".docx",),
    ODT: (".odt",),
    ODS: (".ods",),
    TEXT: (".txt", ".csv", ".md"),
}
MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")
MACROS = ("vbaProject.bin", "Basic/")


@dataclass(frozen=True, slots=True)
class Kind:
    content_type: str
    label: str  # what a person calls it, in refusals


def sniff(data: bytes) -> Kind | None:
    """The kind of the file, or None when it is not one that is accepted."""
    if data.startswith(b"%PDF-"):
        return Kind(PDF, "PDF")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind(PNG, "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return Kind(JPEG, "JPEG")
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return _text(data)


def _office(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(marker in name for name in names for marker in MACROS):
                return None
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return {ODT: Kind(ODT, "ODT"), ODS: Kind(ODS, "ODS")}.get(declared)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return Kind(XLSX, "XLSX")
    if "word/document.xml" in names:
        return Kind(DOCX, "DOCX")
    return None


def _text(data: bytes) -> Kind | None:
    """UTF-8 without control characters (tab and line ends aside), and not markup."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text) or "\x7f" in text:
        return None
    head = data[:4096].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or any(tag in head for tag in MARKUP):
        return None
    return Kind(TEXT, "text")


def label_of(name: str) -> str | None:
    """The kind a file's name claims (its suffix), or None when it names none we know."""
    lowered = name.lower()
    for content_type, suffixes in SUFFIXES.items():
        if lowered.endswith(suffixes):
            return content_type
    return None


def name_agrees(name: str, kind: Kind) -> bool:
    """A name with a suffix must be the suffix of what the bytes are; `.html` is never one."""
    if "." not in name.strip("."):
        return True
    claimed = label_of(name)
    return claimed == kind.content_type
