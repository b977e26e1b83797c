from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import FixedClock
from tests.tasks.support import URL, create, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def test_get_task_answers_etag_and_304(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    first = client.get(f"{URL}/{task['id']}", headers=w.headers)
    again = client.get(
        f"{URL}/{task['id']}", headers={**w.headers, "If-None-Match": first.headers["etag"]}
    )

    assert first.json() == task
    assert first.headers["etag"] == '"1-20260302"'
    assert (again.status_code, again.content) == (304, b"")


def test_get_task_etag_changes_with_the_day(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    task = create(client, w, due_date="2026-03-09")
    first = client.get(f"{URL}/{task['id']}", headers=w.headers)
    clock.advance(timedelta(days=8))

    later = client.get(
        f"{URL}/{task['id']}", headers={**w.headers, "If-None-Match": first.headers["etag"]}
    )

    assert (first.json()["schedule"], later.json()["schedule"]) == ("due_soon", "overdue")
    assert later.headers["etag"] == '"1-20260310"'


@pytest.mark.parametrize("ref", [UNKNOWN, "not-a-uuid", "1"])
def test_get_unknown_or_malformed_task_id_is_404(
    client: TestClient, session: Session, ref: str
) -> None:
    w = world(session)

    response = client.get(f"{URL}/{ref}", headers=w.headers)

    assert response.status_code == 404
    assert response.json()["type"] == "urn:pantau:problem:not-found"
