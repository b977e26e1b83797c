from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.exchange.export import XLSX_TYPE
from app.models import TaskStatus
from tests.exchange.support import (
    API,
    World,
    csv_records,
    data_version,
    post_import,
    tasks_by_title,
    world,
    xlsx_records,
)
from tests.factories import make_task, make_user

TEXTS = [
    "Penguatan literasi digital orang tua 👨‍👩‍👧",
    "=SUM(A1:A9) is only text",
    '-Dash, quoted "twice"; with semicolon',
    "'Apostrophe first",
    "@mention and emoji 🇮🇩",
]


def _arrange(session: Session) -> World:
    w = world(session)
    sari = make_user(session, email="sari@example.test")
    for index, title in enumerate(TEXTS):
        task = make_task(
            session,
            commitment=w.commitment,
            title=title,
            status=TaskStatus.in_progress if index % 2 else TaskStatus.not_started,
            progress=index * 10,
            due_date=date(2026, 4, index + 1),
            lead=w.ministry,
            support=[w.ngo] if index % 2 else None,
            assignee=sari if index == 0 else None,
        )
        task.description = f"Baris satu\r\nbaris dua — {title}" if index < 3 else None
        task.start_date = date(2026, 3, 1) if index == 1 else None
        session.add(task)
    session.commit()
    return w


@pytest.mark.parametrize(
    ("path", "media_type"), [("tasks.csv", "text/csv"), ("tasks.xlsx", XLSX_TYPE)]
)
def test_export_then_import_reports_every_row_unchanged(
    client: TestClient, session: Session, path: str, media_type: str
) -> None:
    w = _arrange(session)
    exported = client.get(f"{API}/{path}", headers=w.headers)
    before = data_version(session)

    response = post_import(client, w.headers, exported.content, media_type=media_type)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, len(TEXTS))
    assert data_version(session) == before
    assert sorted(tasks_by_title(session)) == sorted(TEXTS)


def test_export_then_import_of_an_edited_csv_keeps_indonesian_text_and_emoji(
    client: TestClient, session: Session
) -> None:
    w = _arrange(session)
    exported = client.get(f"{API}/tasks.csv", headers=w.headers).content
    edited = exported.replace(b"Penguatan", "Peningkatan 🚀".encode())

    response = post_import(client, w.headers, edited)

    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 1
    titles = tasks_by_title(session)
    assert "Peningkatan 🚀 literasi digital orang tua 👨‍👩‍👧" in titles
    rows = csv_records(client.get(f"{API}/tasks.csv", headers=w.headers).content)
    assert {row["title"] for row in rows} >= {"Peningkatan 🚀 literasi digital orang tua 👨‍👩‍👧"}


def test_export_xlsx_reads_back_the_same_text(client: TestClient, session: Session) -> None:
    w = _arrange(session)

    rows = xlsx_records(client.get(f"{API}/tasks.xlsx", headers=w.headers).content)

    assert sorted(row["title"] for row in rows) == sorted(TEXTS)
