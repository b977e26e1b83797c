from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.exchange.export import XLSX_TYPE
from app.main import create_app
from tests.exchange.support import (
    API,
    World,
    csv_file,
    post_import,
    post_xlsx,
    problem_rows,
    tasks_by_title,
    world,
    xlsx_file,
)

IMPORTS = f"{API}/imports"


def _rows(w: World, count: int) -> bytes:
    return csv_file(
        *(
            {"commitment": w.commitment.code, "title": f"task {n}", "lead_owner": w.ministry.code}
            for n in range(count)
        )
    )


def test_import_takes_a_multipart_csv_file(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.post(
        IMPORTS,
        files={"file": ("tugas.csv", _rows(w, 2), "application/octet-stream")},
        data={"comment": "ignored"},
        headers=w.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2


def test_import_takes_a_multipart_xlsx_file(client: TestClient, session: Session) -> None:
    w = world(session)
    content = xlsx_file(
        ["commitment", "title", "lead_owner"], [w.commitment.code, "from excel", w.ngo.code]
    )

    response = client.post(
        IMPORTS, files={"file": ("tugas.xlsx", content, XLSX_TYPE)}, headers=w.headers
    )

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["from excel"]


def test_import_multipart_without_a_file_field_is_422(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.post(
        IMPORTS, files={"upload": ("tugas.csv", _rows(w, 1), "text/csv")}, headers=w.headers
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "message": "The multipart body has no field named `file`."}
    ]


def test_import_reads_semicolon_separated_csv_as_excel_saves_it_in_indonesia(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = (
        f"commitment;title;lead_owner;progress\r\n{w.commitment.code};Laporan, triwulan;"
        f"{w.ministry.code};15\r\n"
    ).encode()

    response = post_import(client, w.headers, "\ufeff".encode() + content)

    assert response.status_code == 200, response.text
    assert tasks_by_title(session)["Laporan, triwulan"].progress == 15


def test_import_reads_utf16_text_as_excel_saves_unicode_text(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = f"commitment\ttitle\tlead_owner\r\n{w.commitment.code}\tAnak 🧒\t{w.ngo.code}\r\n"

    response = post_import(client, w.headers, content.encode("utf-16"))

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["Anak 🧒"]


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("application/json", b'{"title": "x"}'),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
        ("", b"title\r\nx\r\n"),
    ],
)
def test_import_of_another_media_type_is_415(
    client: TestClient, session: Session, media_type: str, content: bytes
) -> None:
    w = world(session)

    response = post_import(client, w.headers, content, media_type=media_type)

    assert response.status_code == 415
    assert response.json()["type"] == "urn:pantau:problem:unsupported-media-type"
    assert "multipart/form-data" in response.headers["accept-post"]


def test_import_of_an_old_excel_workbook_is_415_and_says_what_to_do(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100

    response = client.post(
        IMPORTS,
        files={"file": ("tugas.xls", xls, "application/vnd.ms-excel")},
        headers={**w.headers, "Accept-Language": "id"},
    )

    assert response.status_code == 415
    assert response.json()["detail"] == (
        "Ini buku kerja Excel lama (.xls): simpan sebagai .xlsx atau CSV UTF-8."
    )


def test_import_reads_windows_1252_csv_as_excel_saves_plain_csv(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    cp1252 = f"commitment,title,lead_owner\r\n{w.commitment.code},Café “rapat”,{w.ngo.code}\r\n"

    response = post_import(client, w.headers, cp1252.encode("cp1252"))

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["Café “rapat”"]


def test_import_of_csv_that_is_neither_utf8_nor_windows_1252_is_422(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    # 0x81 is undefined in Windows-1252 and, alone, invalid UTF-8.
    content = f"commitment,title,lead_owner\r\n{w.commitment.code},x\x81,{w.ngo.code}\r\n"

    response = post_import(client, w.headers, content.encode("latin-1"))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "file",
            "message": "The CSV is neither UTF-8 nor Windows-1252 text: save it as “CSV UTF-8”.",
        }
    ]


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", xlsx_file()[:200], b""])
def test_import_of_a_broken_workbook_is_422(
    client: TestClient, session: Session, content: bytes
) -> None:
    w = world(session)

    response = post_xlsx(client, w.headers, content)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    "content",
    [b"title,lead_owner\r\nab\0c,x\r\n", b"title,lead_owner\r\n" + b"x" * 200_000 + b",y\r\n"],
)
def test_import_of_a_csv_that_cannot_be_read_is_422(
    client: TestClient, session: Session, content: bytes
) -> None:
    w = world(session)

    response = post_import(client, w.headers, content)

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "The CSV cannot be read near line 2."


def test_import_of_an_empty_file_is_422(client: TestClient, session: Session) -> None:
    w = world(session)

    response = post_import(client, w.headers, b"\r\n")

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "The file is empty: its first row must name the columns."
    )


def test_import_of_more_rows_than_allowed_is_413(
    client: TestClient, session: Session, settings: Settings
) -> None:
    w = world(session)
    settings.import_max_rows = 3

    allowed = post_import(client, w.headers, _rows(w, 3), dry_run="true")
    refused = post_import(client, w.headers, _rows(w, 4))

    assert allowed.status_code == 200
    assert refused.status_code == 413
    assert refused.json()["detail"] == "The file has more than 3 task rows: split it."
    assert tasks_by_title(session) == {}


def test_import_of_a_workbook_that_unpacks_too_large_is_413(
    client: TestClient, session: Session, settings: Settings
) -> None:
    w = world(session)
    settings.import_max_unpacked_bytes = 4096

    response = post_xlsx(client, w.headers, xlsx_file(["title"], ["x" * 5000]))

    assert response.status_code == 413
    assert response.json()["detail"] == "The workbook unpacks to more than 4096 bytes."


@pytest.fixture
def small_client(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"import_max_bytes": 2048})
    with TestClient(create_app(limited, clock=clock, engine=db)) as client:
        yield client


def test_import_of_a_body_over_the_size_limit_is_413(
    small_client: TestClient, session: Session
) -> None:
    w = world(session)

    response = post_import(small_client, w.headers, _rows(w, 100))

    assert response.status_code == 413
    assert tasks_by_title(session) == {}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_finds_the_header_below_blank_rows_and_numbers_rows_as_shown(
    client: TestClient, session: Session, kind: str
) -> None:
    w = world(session)
    header = ["commitment", "title", "lead_owner", "progress"]
    rows = [header, [w.commitment.code, "t", w.ngo.code, "lots"]]
    if kind == "xlsx":
        response = post_xlsx(client, w.headers, xlsx_file([None], [None], *rows))
    else:
        lines = "\r\n\r\n" + "\r\n".join(",".join(row) for row in rows) + "\r\n"
        response = post_import(client, w.headers, lines.encode())

    assert problem_rows(response) == [(4, "progress")]
