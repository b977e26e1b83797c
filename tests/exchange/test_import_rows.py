"""Row errors of imports: each names its row and column, and fails the whole import."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import TaskStatus
from tests.exchange.support import (
    API,
    csv_file,
    history_of,
    new_row,
    post_import,
    problem_rows,
    reloaded,
    tasks_by_title,
    world,
)
from tests.factories import make_commitment, make_task


def test_import_reports_every_failing_row_at_once(client: TestClient, session: Session) -> None:
    w = world(session)
    content = csv_file(
        new_row(w, progress="lots"),
        new_row(w, title="", lead_owner=""),
        new_row(w, commitment="NO-SUCH-COMMITMENT"),
        new_row(w, lead_owner="NO-SUCH-ORG"),
        new_row(w, support_owners=f"{w.ngo.code}; NOBODY"),
        new_row(w, assignee_email="nobody@example.test"),
        new_row(w, status="done"),
        new_row(w, start_date="2026-12-01", due_date="2026-06-30"),
    )

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [
        (2, "progress"),
        (3, "title"),
        (3, "lead_owner"),
        (4, "commitment"),
        (5, "lead_owner"),
        (6, "support_owners"),
        (7, "assignee_email"),
        (8, "status"),
        (9, "start_date"),
    ]
    assert tasks_by_title(session) == {}


def test_import_with_a_stale_version_is_a_row_error(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    client.patch(
        f"{API}/tasks/{task.id}", json={"progress": 5}, headers={**w.headers, "If-Match": '"1"'}
    )
    content = csv_file({"id": str(task.id), "version": "1", "progress": "80"})

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [(2, "version")]
    assert response.json()["errors"][0]["message"] == (
        "The task has changed since version 1; it is at version 2: export it again."
    )


def test_import_update_without_a_version_is_a_row_error(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)

    response = post_import(client, w.headers, csv_file({"id": str(task.id), "progress": "80"}))

    assert problem_rows(response) == [(2, "version")]


def test_import_with_a_forbidden_transition_is_a_row_error(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    content = csv_file({"id": str(task.id), "version": "1", "status": "completed"})

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [(2, "status")]
    assert response.json()["errors"][0]["message"] == (
        "A task cannot go from not_started to completed."
    )


def test_import_transition_that_needs_a_note_takes_the_note_column(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    first = make_task(session, commitment=w.commitment, title="a", lead=w.ministry)
    second = make_task(session, commitment=w.commitment, title="b", lead=w.ministry)
    without = csv_file({"id": str(first.id), "version": "1", "status": "blocked"})
    noted = csv_file(
        {"id": str(first.id), "version": "1", "status": "blocked", "note": "Menunggu anggaran"},
        {"id": str(second.id), "version": "1", "status": "in_progress", "note": ""},
    )

    refused = post_import(client, w.headers, without)
    accepted = post_import(client, w.headers, noted)

    assert problem_rows(refused) == [(2, "note")]
    assert accepted.status_code == 200, accepted.text
    history = history_of(session, first.id)
    assert [(h.action, h.new, h.note) for h in history] == [
        ("transition", "blocked", "Menunggu anggaran")
    ]


def test_import_completing_a_task_sets_its_progress_to_100(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(
        session, commitment=w.commitment, status=TaskStatus.in_progress, progress=60, lead=w.ngo
    )

    response = post_import(
        client, w.headers, csv_file({"id": str(task.id), "version": "1", "status": "completed"})
    )

    assert response.status_code == 200, response.text
    stored = reloaded(session, task.id)
    assert (stored.status, stored.progress) == ("completed", 100)


def test_import_create_with_a_status_moves_it_from_not_started(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = csv_file(new_row(w, title="started", status="in_progress"))

    response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    assert tasks_by_title(session)["started"].status == "in_progress"


def test_import_row_errors_are_in_indonesian_on_request(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = csv_file(new_row(w, progress="banyak", due_date="31/06/2026"))

    response = post_import(client, {**w.headers, "Accept-Language": "id"}, content)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "1 baris berisi kesalahan, sehingga tidak ada yang diimpor: lihat errors."
    )
    assert body["errors"] == [
        {"row": 2, "field": "progress", "message": "Bukan bilangan bulat."},
        {
            "row": 2,
            "field": "due_date",
            "message": "Bukan tanggal: tulis TTTT-BB-HH, HH/BB/TTTT atau 17 Agustus 2027.",
        },
    ]


def test_import_with_an_unknown_column_is_refused_on_row_1(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = csv_file(new_row(w, deadline="2026-06-30", Title="twice"))

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [(1, "deadline"), (1, "title")]
    assert [error["message"] for error in response.json()["errors"]] == [
        "Unknown column: use the columns of the export, and note.",
        "This column appears twice.",
    ]


def test_import_of_the_same_task_twice_is_a_row_error(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    row = {"id": str(task.id), "version": "1", "progress": "10"}

    response = post_import(client, w.headers, csv_file(row, {**row, "progress": "20"}))

    assert problem_rows(response) == [(3, "id")]
    assert response.json()["errors"][0]["message"] == "This task is in row 2 already."


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"id": "00000000-0000-4000-8000-000000000000"}, "id"),
        ({"commitment": "OTHER"}, "commitment"),
        ({"lead_owner": "", "support_owners": ""}, "lead_owner"),
    ],
)
def test_import_update_refusals_name_the_column(
    client: TestClient, session: Session, cells: dict[str, str], field: str
) -> None:
    w = world(session)
    make_commitment(session, code="OTHER")
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    row = {"id": str(task.id), "version": "1", "commitment": w.commitment.code}

    response = post_import(client, w.headers, csv_file({**row, **cells}))

    assert problem_rows(response) == [(2, field)]
