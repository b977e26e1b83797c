"""Evidence files of reports: checked by their bytes, kept in the evidence store, listed as
rows. Adding or removing one changes the report (its version moves, app.audit records it), and
only while its filers may still change it."""

import hashlib
from datetime import datetime

from sqlmodel import Session, col, select

from app.errors import NotFound, PayloadTooLarge, UnsupportedMediaType, invalid
from app.i18n import N_
from app.models import Report, ReportFile, User
from app.reports import rules, service
from app.reports.schemas import ReportFilePublic
from app.storage import Blob, Missing, Store
from app.storage.sniff import SUFFIXES, name_agrees, sniff

ACCEPTED = ", ".join(sorted({suffix for group in SUFFIXES.values() for suffix in group}))
NAME_MAX = 255


def check(name: str, data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """The file's clean name and its content type; 413, 415 or 422 when it is not evidence."""
    clean = " ".join(name.replace("\\", "/").rsplit("/", 1)[-1].split()).strip(". ")
    if not clean or len(clean) > NAME_MAX or any(ord(c) < 32 for c in clean):
        raise invalid(
            "file", N_("The file needs a name of at most {max} characters."), max=NAME_MAX
        )
    if not data:
        raise invalid("file", N_("The file is empty."))
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            N_("The file is larger than {max} bytes: link to it instead."), max=max_bytes
        )
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMediaType(
            N_("This kind of file is not accepted as evidence; send one of: {accepted}."),
            accepted=ACCEPTED,
        )
    if not name_agrees(clean, kind):
        raise UnsupportedMediaType(
            N_("The file is named {name}, but it contains {kind}: name it for what it is."),
            name=clean,
            kind=kind.label,
        )
    return clean, kind.content_type


def key_of(row: ReportFile) -> str:
    return f"reports/{row.report_id.hex}/{row.id.hex}"


def public(row: ReportFile) -> ReportFilePublic:
    return ReportFilePublic.model_validate(row.model_dump())


def files_of(session: Session, report: Report) -> list[ReportFile]:
    statement = select(ReportFile).where(col(ReportFile.report_id) == report.id)
    return list(session.exec(statement.order_by(col(ReportFile.created_at), col(ReportFile.id))))


def resolve(session: Session, report: Report, file_id: str) -> ReportFile:
    from app.plans.service import as_uuid

    key = as_uuid(file_id)
    row = session.get(ReportFile, key) if key else None
    if row is None or row.report_id != report.id:
        raise NotFound("report_file")
    return row


def add(
    session: Session,
    store: Store,
    report: Report,
    *,
    name: str,
    data: bytes,
    max_bytes: int,
    actor: User,
    now: datetime,
) -> ReportFile:
    """Check the caller, the report's state, then the file; store the bytes, then the row.
    (A failed commit leaves the bytes unreferenced in the store, never a row without bytes.)"""
    service.ensure_filer(session, actor, report)
    rules.ensure_editable(report)
    clean, content_type = check(name, data, max_bytes=max_bytes)
    row = ReportFile(
        report_id=report.id,
        name=clean,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key="",
        uploader_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    row.storage_key = key_of(row)
    store.put(row.storage_key, data, content_type)
    session.add(row)
    service.touched(session, report, "file_added", actor=actor, now=now, note=clean)
    return row


def remove(session: Session, report: Report, row: ReportFile, *, actor: User, now: datetime) -> str:
    """Remove the row and record it; the caller deletes the stored bytes (key returned) once
    the transaction committed."""
    service.ensure_filer(session, actor, report)
    rules.ensure_editable(report)
    session.delete(row)
    service.touched(session, report, "file_removed", actor=actor, now=now, note=row.name)
    return row.storage_key


def read(store: Store, row: ReportFile) -> Blob:
    try:
        return store.get(row.storage_key)
    except Missing as missing:
        raise NotFound("report_file") from missing
