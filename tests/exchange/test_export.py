import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.exchange import export
from app.exchange.columns import COLUMNS
from app.exchange.export import XLSX_TYPE
from app.models import Role, TaskStatus
from app.tasks.schemas import TaskFilters
from tests.conftest import NOW
from tests.exchange.support import API, TODAY, csv_records, world, xlsx_records
from tests.factories import login, make_commitment, make_task, make_user

CSV = f"{API}/tasks.csv"
XLSX = f"{API}/tasks.xlsx"
INDONESIAN = "Sosialisasi pelindungan anak di ranah daring 🧒📱"


def test_export_csv_has_one_row_per_task_in_the_documented_columns(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    sari = make_user(session, email="sari@kemenpppa.go.id")
    task = make_task(
        session,
        commitment=w.commitment,
        title=INDONESIAN,
        status=TaskStatus.in_progress,
        progress=40,
        due_date=date(2026, 6, 30),
        lead=w.ministry,
        support=[w.ngo],
        assignee=sari,
    )
    make_task(session, commitment=w.commitment, title="Second", lead=w.ngo)

    response = client.get(CSV, headers=w.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response.headers["content-disposition"] == 'attachment; filename="tasks-2026-03-02.csv"'
    assert response.content.count(b"\r\n") == 3  # RFC 4180 line breaks
    first, second = sorted(
        csv_records(response.content), key=lambda row: row["title"] != INDONESIAN
    )
    assert first == {
        "id": str(task.id),
        "plan": w.plan.code,
        "pillar": w.pillar.code,
        "commitment": w.commitment.code,
        "title": INDONESIAN,
        "description": "",
        "status": "in_progress",
        "progress": "40",
        "priority": "medium",
        "start_date": "",
        "due_date": "2026-06-30",
        "schedule": "on_track",
        "lead_owner": w.ministry.code,
        "support_owners": w.ngo.code,
        "assignee_email": "sari@kemenpppa.go.id",
        "version": "1",
        "updated_at": "2026-03-02T02:00:00Z",
        "slips": "0",
    }
    assert (second["title"], second["lead_owner"], second["support_owners"]) == (
        "Second",
        w.ngo.code,
        "",
    )


def test_export_csv_paths_are_not_taken_for_task_ids(client: TestClient, session: Session) -> None:
    w = world(session)

    csv_answer = client.get(CSV, headers=w.headers)
    xlsx_answer = client.get(XLSX, headers=w.headers)

    assert csv_answer.status_code == xlsx_answer.status_code == 200
    assert csv_records(csv_answer.content) == []
    assert xlsx_answer.headers["content-type"] == XLSX_TYPE


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_export_applies_the_filters_of_the_task_list(
    client: TestClient, session: Session, path: str
) -> None:
    w = world(session)
    other = make_commitment(session)
    make_task(session, commitment=w.commitment, title="led", lead=w.ministry)
    make_task(session, commitment=w.commitment, title="blocked", status=TaskStatus.blocked)
    make_task(session, commitment=other, title="elsewhere", lead=w.ministry)
    read = csv_records if path == CSV else xlsx_records

    def titles(**params: object) -> list[str]:
        response = client.get(path, params=params, headers=w.headers)
        assert response.status_code == 200, response.text
        return sorted(str(row["title"]) for row in read(response.content))

    assert titles() == ["blocked", "elsewhere", "led"]
    assert titles(organisation=w.ministry.code) == ["elsewhere", "led"]
    assert titles(plan=w.plan.code) == ["blocked", "led"]
    assert titles(status=["blocked", "completed"]) == ["blocked"]
    assert titles(plan=w.plan.code, organisation=w.ministry.code) == ["led"]


def test_export_with_a_malformed_filter_is_422(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.get(CSV, params={"status": "done"}, headers=w.headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status.0"


def test_export_csv_prefixes_formula_cells_with_an_apostrophe(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    dangerous = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
    for title in dangerous:
        make_task(session, commitment=w.commitment, title=title)
    make_task(session, commitment=w.commitment, title="'Quoted already")
    make_task(session, commitment=w.commitment, title="Plain - with = inside")

    records = csv_records(client.get(CSV, headers=w.headers).content)

    assert sorted(row["title"] for row in records) == sorted(
        [*("'" + title for title in dangerous), "''Quoted already", "Plain - with = inside"]
    )


def test_export_xlsx_has_a_header_dates_as_dates_and_numbers_as_numbers(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(
        session,
        commitment=w.commitment,
        title=INDONESIAN,
        progress=55,
        due_date=date(2026, 6, 30),
        lead=w.ministry,
        support=[w.ngo],
    )

    response = client.get(XLSX, headers=w.headers)

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="tasks-2026-03-02.xlsx"'
    (row,) = xlsx_records(response.content)
    assert row["id"] == str(task.id)
    assert row["title"] == INDONESIAN
    assert isinstance(row["due_date"], datetime)  # a date cell: openpyxl reads it as a datetime
    assert row["due_date"].date() == date(2026, 6, 30)
    assert row["start_date"] is None
    assert row["progress"] == 55
    assert row["version"] == 1
    assert row["updated_at"] == NOW.replace(tzinfo=None)  # in UTC: Excel has no time zones
    assert row["support_owners"] == w.ngo.code


def test_export_xlsx_never_writes_a_formula(client: TestClient, session: Session) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment, title="=1+1")
    make_task(session, commitment=w.commitment, title="#N/A")

    response = client.get(XLSX, headers=w.headers)

    sheet = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    assert sorted(row["title"] for row in xlsx_records(response.content)) == ["#N/A", "=1+1"]


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_export_answers_304_until_the_data_changes(
    client: TestClient, session: Session, path: str
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    first = client.get(path, headers=w.headers)
    etag = first.headers["etag"]

    again = client.get(path, headers={**w.headers, "If-None-Match": etag})
    client.patch(
        f"{API}/tasks/{task.id}",
        json={"progress": 10},
        headers={**w.headers, "If-Match": '"1"'},
    )
    changed = client.get(path, headers={**w.headers, "If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_export_without_a_token_is_401(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_export_is_readable_by_a_viewer(client: TestClient, session: Session) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment)
    _viewer, headers = login(session, role=Role.viewer)

    response = client.get(CSV, headers=headers)

    assert response.status_code == 200
    assert len(csv_records(response.content)) == 1


def test_export_rows_read_every_batch_in_creation_order(session: Session) -> None:
    w = world(session)
    made = [make_task(session, commitment=w.commitment, title=f"t{n}") for n in range(5)]

    rows = list(export.rows(session, TaskFilters(), viewer=w.user, today=TODAY, batch_size=2))

    # Creation order is (created_at, id); the factory gives every task the same created_at.
    assert [row[0] for row in rows] == [str(task.id) for task in sorted(made, key=lambda t: t.id)]
    assert rows[0][COLUMNS.index("updated_at")] == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
