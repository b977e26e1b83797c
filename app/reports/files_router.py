"""Evidence files of a report: upload (multipart, field `file`), list, download, delete.
Checked by their bytes (app.storage.sniff); the same rights as changing the report."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Request, Response, UploadFile, status

from app.db import SessionDep
from app.deps import ClockDep, SettingsDep, StoreDep
from app.http import Page, answer, resource_etag
from app.reports import evidence
from app.reports.dependencies import ReportDep, ReportFilerDep
from app.reports.schemas import ReportFilePublic

router = APIRouter(prefix="/reports", tags=["reports"])

FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"}


def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """At most one byte past the limit: enough to refuse, never the whole of a huge part."""
    return upload.file.read(max_bytes + 1)


@router.post(
    "/{report_id}/files",
    status_code=status.HTTP_201_CREATED,
    responses={413: {}, 415: {}},
)
def add_file(
    report_id: str,
    write: ReportFilerDep,
    file: Annotated[
        UploadFile, File(description="The evidence: PDF, PNG, JPEG, XLSX, DOCX, ODT, ODS or text.")
    ],
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    clock: ClockDep,
) -> ReportFilePublic:
    """Add an evidence file to a draft or returned report (its filers): its type is read from
    its bytes, and a name that says otherwise is refused (415); larger than
    PANTAU_EVIDENCE_MAX_BYTES is 413. The report's version moves."""
    data = read_upload(file, settings.evidence_max_bytes)
    row = evidence.add(
        session,
        store,
        write.target,
        name=file.filename or "",
        data=data,
        max_bytes=settings.evidence_max_bytes,
        actor=write.actor,
        now=clock.now(),
    )
    location = request.url_for("get_file", report_id=str(row.report_id), file_id=str(row.id))
    return answer(response, evidence.public(row), resource_etag(row.version), location=location)


@router.get("/{report_id}/files")
def list_files(report_id: str, report: ReportDep, session: SessionDep) -> Page[ReportFilePublic]:
    """The report's evidence files, oldest first."""
    return Page(items=[evidence.public(row) for row in evidence.files_of(session, report)])


@router.get(
    "/{report_id}/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_file(
    report_id: str, file_id: str, report: ReportDep, session: SessionDep, store: StoreDep
) -> Response:
    """The file's bytes, with the type read from them when it was added, as an attachment."""
    row = evidence.resolve(session, report, file_id)
    blob = evidence.read(store, row)
    return Response(blob.data, media_type=row.content_type, headers=download_headers(row.name))


def download_headers(name: str) -> dict[str, str]:
    return {**FILE_HEADERS, "Content-Disposition": content_disposition(name)}


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name (RFC 8187)."""
    from urllib.parse import quote

    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.delete("/{report_id}/files/{file_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_file(
    report_id: str,
    file_id: str,
    write: ReportFilerDep,
    session: SessionDep,
    store: StoreDep,
    clock: ClockDep,
    tasks: BackgroundTasks,
) -> Response:
    """Remove an evidence file of a draft or returned report (its filers); the stored bytes
    go once the removal is committed."""
    row = evidence.resolve(session, write.target, file_id)
    key = evidence.remove(session, write.target, row, actor=write.actor, now=clock.now())
    tasks.add_task(store.delete, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
