"""Evidence files of reports (issue 12): checked by their bytes, kept on the local disk or in
a real S3 endpoint on loopback (moto's server), on both databases."""

import io
import zipfile
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Change, History, ReportFile
from app.storage import Missing, Store, store_of
from tests.reports.test_reports import URL, World, file, w
from tests.storage.servers import S3, s3

__all__ = ["s3", "w"]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(params=["local", "s3"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    base = settings.model_copy(update={"evidence_max_bytes": 2 * 1024 * 1024})
    if request.param == "s3":
        server: S3 = request.getfixturevalue("s3")
        return server.settings(base)
    return base


@pytest.fixture
def store(store_settings: Settings) -> Store:
    return store_of(store_settings)


@pytest.fixture
def app(store_settings: Settings, clock: FixedClock, db: Engine, store: Store) -> FastAPI:
    return create_app(store_settings, clock=clock, engine=db, store=store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def upload(
    client: TestClient, report: dict[str, Any], headers: dict[str, str], name: str, data: bytes
) -> Any:
    files = {"file": (name, data, "application/octet-stream")}
    return client.post(f"{URL}/{report['id']}/files", files=files, headers=headers)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["indicator", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_filer_adds_lists_downloads_and_deletes_a_file(
    client: TestClient, session: Session, w: World, store: Store
) -> None:
    report = file(client, w)

    added = upload(client, report, w.lead, "laporan semester.pdf", PDF)

    assert added.status_code == 201, added.text
    body = added.json()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert added.headers["Location"].endswith(f"/reports/{report['id']}/files/{body['id']}")
    listed = client.get(f"{URL}/{report['id']}/files", headers=w.other).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    again = client.get(f"{URL}/{report['id']}", headers=w.lead).json()
    assert again["version"] == report["version"] + 1  # a file changes the report
    assert [item["name"] for item in again["files"]] == ["laporan semester.pdf"]

    got = client.get(f"{URL}/{report['id']}/files/{body['id']}", headers=w.other)

    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith(
        'attachment; filename="laporan semester.pdf"'
    )

    gone = client.delete(f"{URL}/{report['id']}/files/{body['id']}", headers=w.lead)

    assert gone.status_code == 204
    assert client.get(f"{URL}/{report['id']}/files/{body['id']}", headers=w.lead).status_code == 404
    row = session.exec(select(ReportFile).where(col(ReportFile.id) == UUID(body["id"]))).first()
    assert row is None
    with pytest.raises(Missing):
        store.get(f"reports/{report['id'].replace('-', '')}/{body['id'].replace('-', '')}")
    actions = session.exec(
        select(History.action)
        .where(col(History.entity_id) == UUID(report["id"]))
        .order_by(col(History.id))
    ).all()
    assert actions == ["created", "file_added", "file_removed"]
    feed = session.exec(
        select(Change.version).where(col(Change.entity_id) == UUID(report["id"]))
    ).all()
    assert sorted(feed) == [1, 2, 3]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("photo.png", PNG, "image/png"),
        ("scan.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("notes.txt", "Rapat koordinasi: 12 peserta ✓\n".encode(), "text/plain; charset=utf-8"),
        (
            "tables.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "minutes.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("minutes.odt", odt(), "application/vnd.oasis.opendocument.text"),
        ("no-suffix", PDF, "application/pdf"),
    ],
)
def test_each_accepted_kind_is_read_from_its_bytes(
    client: TestClient, w: World, name: str, data: bytes, kind: str
) -> None:
    report = file(client, w)

    added = upload(client, report, w.lead, name, data)

    assert added.status_code == 201, added.text
    assert added.json()["content_type"] == kind
    got = client.get(f"{URL}/{report['id']}/files/{added.json()['id']}", headers=w.lead)
    assert (got.content, got.headers["content-type"]) == (data, kind)


def test_a_misleading_name_is_refused_in_the_persons_language(
    client: TestClient, session: Session, w: World
) -> None:
    report = file(client, w)

    english = upload(client, report, w.lead, "evil.pdf", HTML)
    indonesian = upload(client, report, {**w.lead, "Accept-Language": "id"}, "evil.pdf", HTML)
    named_pdf = upload(client, report, w.lead, "report.pdf", PNG)

    assert english.status_code == 415
    assert english.headers["content-type"] == "application/problem+json"
    assert "not accepted" in english.json()["detail"]
    assert indonesian.status_code == 415
    assert indonesian.headers["content-language"] == "id"
    assert indonesian.json()["detail"] != english.json()["detail"]
    assert named_pdf.status_code == 415
    assert "report.pdf" in named_pdf.json()["detail"]
    assert "PNG" in named_pdf.json()["detail"]
    assert session.exec(select(ReportFile)).first() is None


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", HTML),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
        ("notes.txt", b"  \n<html><body>hi</body></html>"),
        ("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 64),
        ("archive.zip", docx({"other.txt": b"x"})[:-1]),
        ("macro.docx", docx({"word/vbaProject.bin": b"\x00"})),
        ("data.bin", bytes(range(256))),
    ],
)
def test_a_wrong_type_is_refused(client: TestClient, w: World, name: str, data: bytes) -> None:
    report = file(client, w)

    refused = upload(client, report, w.lead, name, data)

    assert refused.status_code == 415, refused.text
    assert refused.json()["type"] == "urn:pantau:problem:unsupported-media-type"


def test_a_file_over_the_limit_is_refused_and_one_over_the_body_limit_is_not(
    client: TestClient, w: World, store_settings: Settings
) -> None:
    report = file(client, w)
    big = PDF + b"0" * (store_settings.max_body_bytes + 10)  # more than any JSON body may be
    too_big = PDF + b"0" * store_settings.evidence_max_bytes

    accepted = upload(client, report, w.lead, "big.pdf", big)
    refused = upload(client, report, w.lead, "huge.pdf", too_big)
    way_too_big = upload(client, report, w.lead, "huge.pdf", too_big + b"0" * 100_000)

    assert accepted.status_code == 201, accepted.text
    assert refused.status_code == 413
    assert way_too_big.status_code == 413  # by Content-Length, before the app reads it


def test_an_empty_file_or_name_is_refused(client: TestClient, w: World) -> None:
    report = file(client, w)

    assert upload(client, report, w.lead, "empty.pdf", b"").status_code == 422
    missing = client.post(f"{URL}/{report['id']}/files", headers=w.lead)
    assert missing.status_code == 422


def test_files_are_read_only_once_submitted(client: TestClient, w: World) -> None:
    report = file(client, w)
    added = upload(client, report, w.lead, "a.pdf", PDF).json()
    submitted = client.post(f"{URL}/{report['id']}/submit", headers=w.lead)
    assert submitted.status_code == 200, submitted.text

    late = upload(client, report, w.lead, "b.pdf", PDF)
    removed = client.delete(f"{URL}/{report['id']}/files/{added['id']}", headers=w.lead)
    by_coordinator = upload(client, report, w.coordinator, "c.pdf", PDF)

    assert (late.status_code, removed.status_code, by_coordinator.status_code) == (409, 409, 409)
    got = client.get(f"{URL}/{report['id']}/files/{added['id']}", headers=w.lead)
    assert got.content == PDF


def test_only_the_reports_filers_add_or_remove_files(client: TestClient, w: World) -> None:
    report = file(client, w)
    added = upload(client, report, w.lead, "a.pdf", PDF).json()

    assert upload(client, report, w.other, "x.pdf", PDF).status_code == 403
    assert upload(client, report, w.stranger, "x.pdf", PDF).status_code == 403
    assert upload(client, report, w.coordinator, "y.pdf", PDF).status_code == 201
    path = f"{URL}/{report['id']}/files/{added['id']}"
    assert client.delete(path, headers=w.other).status_code == 403
    assert client.get(path).status_code == 401


def test_a_file_of_another_report_is_not_found(client: TestClient, w: World) -> None:
    first = file(client, w)
    second = file(client, w, period="2025-S2")
    added = upload(client, first, w.lead, "a.pdf", PDF).json()

    assert (
        client.get(f"{URL}/{second['id']}/files/{added['id']}", headers=w.lead).status_code == 404
    )
    assert client.get(f"{URL}/{first['id']}/files/not-an-id", headers=w.lead).status_code == 404
