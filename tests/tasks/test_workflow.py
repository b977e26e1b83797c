from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import FixedClock
from app.events import TASK_STATUS_CHANGED
from app.models import Role, TaskStatus
from tests.conftest import NOW
from tests.factories import login, make_task
from tests.tasks.support import URL, create, fields, if_match, move, stored, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def test_transition_moves_status_and_answers_the_task_with_its_etag(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    published: list[tuple[str, dict[str, Any]]],
) -> None:
    w = world(session)
    task = create(client, w)
    clock.advance(timedelta(days=3))

    response = move(client, task["id"], w.headers, "blocked", "menunggu anggaran")

    moved = response.json()
    assert response.status_code == 200
    assert (moved["status"], moved["version"]) == ("blocked", 2)
    assert response.headers["etag"] == '"2-20260305"'
    assert stored(session, task["id"]).activity_at == NOW + timedelta(days=3)
    assert [(p["from"], p["to"], p["note"]) for k, p in published if k == TASK_STATUS_CHANGED] == [
        ("not_started", "blocked", "menunggu anggaran")
    ]


def test_completing_sets_progress_to_100_and_records_it(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w, progress=70)
    move(client, task["id"], w.headers, "in_progress")

    done = move(client, task["id"], w.headers, "completed").json()

    history = client.get(f"{URL}/{task['id']}/history", headers=w.headers).json()["items"]
    assert (done["status"], done["progress"], done["schedule"]) == ("completed", 100, "done")
    assert ("progress", 70, 100) in [(h["field"], h["old"], h["new"]) for h in history]


def test_transition_not_in_the_table_is_409(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = move(client, task["id"], w.headers, "completed")

    assert response.status_code == 409
    assert response.json()["type"] == "urn:pantau:problem:invalid-transition"
    assert stored(session, task["id"]).status is TaskStatus.not_started


@pytest.mark.parametrize(
    ("start", "target"),
    [(TaskStatus.completed, "in_progress"), (TaskStatus.cancelled, "not_started")],
)
def test_contributor_reopening_is_403(
    client: TestClient, session: Session, start: TaskStatus, target: str
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, status=start, lead=w.ministry)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = move(client, task.id, headers, target, "saya ingin membuka lagi")

    assert response.status_code == 403
    assert stored(session, task.id).status is start


def test_contributor_moves_own_organisation_task(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = move(client, task.id, headers, "in_progress")

    assert response.status_code == 200


def test_contributor_moving_other_organisation_task_is_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ngo)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = move(client, task.id, headers, "in_progress")

    assert response.status_code == 403
    assert response.json()["detail"] == "This task is owned by other organisations than yours."


def test_viewer_moving_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment)
    _, headers = login(session, role=Role.viewer)

    response = move(client, task.id, headers, "in_progress")

    assert response.status_code == 403


def test_transition_with_stale_if_match_is_412(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = move(client, task["id"], {**w.headers, "If-Match": '"0-20260302"'}, "in_progress")

    assert response.status_code == 412
    assert stored(session, task["id"]).status is TaskStatus.not_started


def test_transition_with_current_if_match_succeeds(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = move(client, task["id"], if_match(w.headers, task), "in_progress")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "done"}, "status"), ({}, "status"), ({"status": "blocked", "note": 5}, "note")],
)
def test_transition_with_bad_body_is_422(
    client: TestClient, session: Session, body: dict[str, Any], field: str
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.post(f"{URL}/{task['id']}/transitions", json=body, headers=w.headers)

    assert response.status_code == 422
    assert fields(response.json()) == [field]


def test_transition_of_unknown_task_is_404(client: TestClient, session: Session) -> None:
    w = world(session)

    response = move(client, UNKNOWN, w.headers, "in_progress")

    assert response.status_code == 404


@pytest.mark.parametrize("status", ["blocked", "cancelled"])
def test_blocking_or_cancelling_without_note_is_422(
    client: TestClient, session: Session, status: str
) -> None:
    w = world(session)
    task = create(client, w)

    response = move(client, task["id"], w.headers, status, "  ")

    assert response.status_code == 422
    assert fields(response.json()) == ["note"]


@pytest.mark.parametrize(
    ("start", "target"),
    [(TaskStatus.completed, "in_progress"), (TaskStatus.cancelled, "not_started")],
)
def test_coordinator_reopens_with_a_note(
    client: TestClient, session: Session, start: TaskStatus, target: str
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, status=start)

    without_note = move(client, task.id, w.headers, target)
    with_note = move(client, task.id, w.headers, target, "laporan belum lengkap")

    assert without_note.status_code == 422
    assert with_note.status_code == 200
    assert with_note.json()["status"] == target
