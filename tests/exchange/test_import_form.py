"""Imports sent as multipart/form-data, parsed by Starlette's request.form()."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from tests.exchange.support import API, World, csv_file, tasks_by_title, world

IMPORTS = f"{API}/imports"
BAD_MULTIPART = [
    {
        "field": "file",
        "message": "The multipart body cannot be read: send its boundary and one file, "
        "in the field `file`.",
    }
]
SPOOL_BYTES = 1024 * 1024  # Starlette keeps an uploaded file in memory up to this, then on disk


def _csv(w: World, title: str = "from a form") -> bytes:
    return csv_file({"commitment": w.commitment.code, "title": title, "lead_owner": w.ngo.code})


def test_import_takes_the_file_field_sent_as_text_without_a_filename(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    response = client.post(IMPORTS, files={"file": (None, _csv(w))}, headers=w.headers)

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["from a form"]


def test_import_of_multipart_without_a_boundary_is_422(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    headers = {**w.headers, "Content-Type": "multipart/form-data"}

    response = client.post(IMPORTS, content=b"--x\r\n\r\n--x--\r\n", headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"] == BAD_MULTIPART


def test_import_of_a_multipart_part_without_a_name_is_422(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    headers = {**w.headers, "Content-Type": "multipart/form-data; boundary=b"}
    body = b'--b\r\nContent-Disposition: form-data; filename="t.csv"\r\n\r\ntitle\r\nx\r\n--b--\r\n'

    response = client.post(IMPORTS, content=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"] == BAD_MULTIPART


def test_import_of_multipart_with_two_files_is_422_and_imports_nothing(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    two = [
        ("file", ("a.csv", _csv(w, "a"), "text/csv")),
        ("file", ("b.csv", _csv(w, "b"), "text/csv")),
    ]

    response = client.post(IMPORTS, files=two, headers=w.headers)

    assert response.status_code == 422
    assert response.json()["errors"] == BAD_MULTIPART
    assert tasks_by_title(session) == {}


def test_import_of_multipart_with_too_many_fields_is_422(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    fields = {f"extra{n}": "x" for n in range(17)}

    response = client.post(
        IMPORTS, files={"file": ("t.csv", _csv(w), "text/csv")}, data=fields, headers=w.headers
    )

    assert response.status_code == 422
    assert response.json()["errors"] == BAD_MULTIPART


def test_import_accepts_sixteen_fields_beside_the_file(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    fields = {f"extra{n}": "x" for n in range(16)}

    response = client.post(
        IMPORTS, files={"file": ("t.csv", _csv(w), "text/csv")}, data=fields, headers=w.headers
    )

    assert response.status_code == 200, response.text


@pytest.fixture
def sized_client(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[TestClient]:
    """An import body limit of 4 MiB: room for parts above Starlette's 1 MiB defaults."""
    limited = settings.model_copy(update={"import_max_bytes": 4 * SPOOL_BYTES})
    with TestClient(create_app(limited, clock=clock, engine=db)) as client:
        yield client


def _padded(w: World) -> bytes:
    """One task row followed by a blank line (empty cells) past the spool size: it is skipped,
    and counts as one line of the file's budget."""
    return _csv(w, "padded") + b"," * SPOOL_BYTES + b"\r\n"


def test_import_of_a_multipart_file_spooled_to_disk_reads_it_whole(
    sized_client: TestClient, session: Session
) -> None:
    w = world(session)

    response = sized_client.post(
        IMPORTS, files={"file": ("big.csv", _padded(w), "text/csv")}, headers=w.headers
    )

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["padded"]


def test_import_of_a_text_field_over_one_mebibyte_is_allowed_up_to_the_body_limit(
    sized_client: TestClient, session: Session
) -> None:
    w = world(session)

    response = sized_client.post(IMPORTS, files={"file": (None, _padded(w))}, headers=w.headers)

    assert response.status_code == 200, response.text
    assert list(tasks_by_title(session)) == ["padded"]


def test_import_of_a_multipart_body_over_the_size_limit_is_413(
    settings: Settings, clock: FixedClock, db: Engine, session: Session
) -> None:
    w = world(session)
    limited = settings.model_copy(update={"import_max_bytes": 2048})
    rows = csv_file(
        *(
            {"commitment": w.commitment.code, "title": f"task {n:03}", "lead_owner": w.ngo.code}
            for n in range(200)
        )
    )
    assert len(rows) > 2048  # whatever codes the factories gave (they were shorter run alone)

    with TestClient(create_app(limited, clock=clock, engine=db)) as client:
        response = client.post(
            IMPORTS, files={"file": ("t.csv", rows, "text/csv")}, headers=w.headers
        )

    assert response.status_code == 413
    assert response.json()["type"] == "urn:pantau:problem:payload-too-large"
    assert tasks_by_title(session) == {}
