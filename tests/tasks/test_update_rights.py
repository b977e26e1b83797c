from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import login, make_task
from tests.tasks.support import URL, if_match, stored, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def test_contributor_patches_progress_of_own_organisation_task(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ngo, support=[w.ministry])
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{task.id}",
        json={"progress": 60, "note": "2 dari 3 modul"},
        headers=if_match(headers, task),
    )

    assert response.status_code == 200
    assert response.json()["progress"] == 60


def test_contributor_patching_other_fields_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{task.id}",
        json={"progress": 60, "due_date": "2027-01-01"},
        headers=if_match(headers, task),
    )

    assert response.status_code == 403
    assert "due_date" in response.json()["detail"]


def test_contributor_patching_other_organisation_task_is_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ngo)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{task.id}", json={"progress": 60}, headers=if_match(headers, task)
    )

    assert response.status_code == 403
    assert stored(session, task.id).progress == 0


def test_contributor_without_organisation_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ngo)
    _, headers = login(session, role=Role.contributor)

    response = client.patch(
        f"{URL}/{task.id}", json={"progress": 5}, headers=if_match(headers, task)
    )

    assert response.status_code == 403


def test_viewer_patching_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    _, headers = login(session, role=Role.viewer, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{task.id}", json={"progress": 5}, headers=if_match(headers, task)
    )

    assert response.status_code == 403
