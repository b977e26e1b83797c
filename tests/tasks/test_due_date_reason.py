"""Deadlines explain themselves: moving a due date needs a reason, history keeps old -> new,
the reason and the actor, and a move to a later day counts as a slip (decision 0016)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.tasks.support import URL, create, if_match, world

DUE = "2026-06-30"  # tests.tasks.support.task_body's


def _patch(client: TestClient, headers: dict[str, str], task: dict[str, Any], **body: Any) -> Any:
    return client.patch(f"{URL}/{task['id']}", json=body, headers=if_match(headers, task))


def test_moving_a_due_date_without_a_reason_is_422_in_both_languages(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)

    english = _patch(client, w.headers, task, due_date="2026-07-31")
    indonesian = _patch(client, {**w.headers, "Accept-Language": "id"}, task, due_date=None)

    assert english.status_code == indonesian.status_code == 422
    assert english.json()["errors"] == [
        {
            "field": "due_date_reason",
            "message": f"The due date {DUE} moves: say why in due_date_reason.",
        }
    ]
    assert indonesian.json()["errors"][0]["message"] == (
        f"Tenggat {DUE} berubah: jelaskan alasannya di due_date_reason."
    )
    assert client.get(f"{URL}/{task['id']}", headers=w.headers).json()["version"] == 1


def test_a_later_due_date_with_its_reason_is_a_slip_kept_in_history(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)

    moved = _patch(client, w.headers, task, due_date="2026-07-31", due_date_reason="Budget late")
    earlier = _patch(
        client, w.headers, moved.json(), due_date="2026-07-15", due_date_reason="Scope cut"
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["slips"] == 1
    assert earlier.json()["slips"] == 1  # earlier is no slip, though it needs its reason too
    history = client.get(f"{URL}/{task['id']}/history", headers=w.headers).json()["items"]
    rows = [(h["field"], h["old"], h["new"]) for h in history if h["action"] == "updated"]
    assert rows == [
        ("due_date", DUE, "2026-07-31"),
        ("due_date_reason", None, "Budget late"),
        ("slips", 0, 1),
        ("due_date", "2026-07-31", "2026-07-15"),
        ("due_date_reason", None, "Scope cut"),
    ]
    assert {h["actor"]["id"] for h in history} == {str(w.user.id)}


def test_a_first_due_date_needs_no_reason(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w, due_date=None)

    response = _patch(client, w.headers, task, due_date="2026-07-31")

    assert response.status_code == 200, response.text
    assert response.json()["slips"] == 0
