"""Progress follows status: completed <=> 100 (issue 11, hole 6; decision 17)."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, TaskStatus
from tests.factories import login, make_task
from tests.tasks.support import URL, create, if_match, move, stored, task_body, world


@pytest.mark.parametrize("status", [TaskStatus.completed, TaskStatus.cancelled])
def test_progress_of_a_done_task_is_409_until_reopened(
    client: TestClient, session: Session, status: TaskStatus
) -> None:
    w = world(session)
    progress = 100 if status is TaskStatus.completed else 40
    task = make_task(session, commitment=w.commitment, status=status, progress=progress, lead=w.ngo)
    _, headers = login(session, role=Role.contributor, organisation=w.ngo)

    english = client.patch(
        f"{URL}/{task.id}", json={"progress": 50}, headers=if_match(headers, task)
    )
    indonesian = client.patch(
        f"{URL}/{task.id}",
        json={"progress": 50},
        headers={**if_match(headers, task), "Accept-Language": "id"},
    )

    assert english.status_code == 409, english.text
    assert "reopen" in english.json()["detail"]
    assert "buka kembali" in indonesian.json()["detail"]
    assert stored(session, task.id).progress == progress


def test_progress_100_on_an_open_task_is_409(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, status=TaskStatus.in_progress, lead=w.ngo)

    patched = client.patch(
        f"{URL}/{task.id}", json={"progress": 100}, headers=if_match(w.headers, task)
    )
    created = client.post(URL, json=task_body(w, progress=100), headers=w.headers)

    assert (patched.status_code, created.status_code) == (409, 409)
    assert "completed" in patched.json()["detail"]
    assert stored(session, task.id).progress == 0


def test_reopening_restores_the_progress_before_completion(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w, progress=70)
    move(client, task["id"], w.headers, "in_progress")
    move(client, task["id"], w.headers, "completed")

    reopened = move(client, task["id"], w.headers, "in_progress", note="Laporan belum lengkap")

    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["progress"]) == ("in_progress", 70)


def test_reopening_without_a_recorded_completion_starts_from_0(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(
        session, commitment=w.commitment, status=TaskStatus.completed, progress=100, lead=w.ngo
    )

    reopened = move(client, task.id, w.headers, "in_progress", note="Perlu revisi")

    assert reopened.json()["progress"] == 0
