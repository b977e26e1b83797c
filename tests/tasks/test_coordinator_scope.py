"""A coordinator writes tasks only in the plans it coordinates (issue 11, hole 3)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, TaskStatus
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_plan,
    make_task,
)
from tests.tasks.support import URL, World, if_match, stored, task_body, world


def _foreign(session: Session, w: World, status: TaskStatus = TaskStatus.in_progress) -> Any:
    """A task in a plan that w's coordinator does not coordinate (someone else does)."""
    plan = make_plan(session)
    other, _ = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=other)
    commitment = make_commitment(session, plan=plan)
    return make_task(session, commitment=commitment, status=status, lead=w.ministry)


def test_coordinator_creating_a_task_in_another_plan_is_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    foreign = make_commitment(session, plan=make_plan(session))

    response = client.post(URL, json=task_body(w, commitment=foreign.code), headers=w.headers)
    indonesian = client.post(
        URL,
        json=task_body(w, commitment=foreign.code),
        headers={**w.headers, "Accept-Language": "id"},
    )

    assert response.status_code == 403, response.text
    assert "coordinate" in response.json()["detail"]
    assert "koordinasikan" in indonesian.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "", {"title": "Hijacked"}),
        ("DELETE", "", None),
        ("POST", "/transitions", {"status": "blocked", "note": "not yours"}),
        ("POST", "/notes", {"text": "not yours"}),
    ],
)
def test_coordinator_writing_a_task_of_another_plan_is_403(
    client: TestClient, session: Session, method: str, path: str, body: dict[str, Any] | None
) -> None:
    w = world(session)
    task = _foreign(session, w)

    response = client.request(
        method, f"{URL}/{task.id}{path}", json=body, headers=if_match(w.headers, task)
    )

    assert response.status_code == 403, response.text
    assert stored(session, task.id).version == task.version


def test_coordinator_reopening_a_task_of_another_plan_is_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = _foreign(session, w, status=TaskStatus.completed)

    response = client.post(
        f"{URL}/{task.id}/transitions",
        json={"status": "in_progress", "note": "again"},
        headers=w.headers,
    )

    assert response.status_code == 403
    assert stored(session, task.id).status is TaskStatus.completed


def test_coordinator_writes_tasks_of_its_own_plan(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)

    response = client.patch(
        f"{URL}/{task.id}", json={"title": "Renamed"}, headers=if_match(w.headers, task)
    )

    assert response.status_code == 200, response.text
