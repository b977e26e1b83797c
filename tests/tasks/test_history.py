from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, Role
from tests.factories import login, make_organisation, make_task
from tests.tasks.support import URL, create, fields, move, stored, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def test_transition_is_visible_in_history_with_its_note_and_actor(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)
    move(client, task["id"], w.headers, "in_progress")
    move(client, task["id"], w.headers, "blocked", "Menunggu data dari KPAI 🙏")

    history = client.get(f"{URL}/{task['id']}/history", headers=w.headers).json()["items"]

    assert [(h["action"], h["field"], h["old"], h["new"], h["note"]) for h in history] == [
        ("created", None, None, None, None),
        ("transition", "status", "not_started", "in_progress", None),
        ("transition", "status", "in_progress", "blocked", "Menunggu data dari KPAI 🙏"),
    ]
    assert history[-1]["actor"] == {"id": str(w.user.id), "name": w.user.name}
    assert history[-1]["at"] == "2026-03-02T02:00:00Z"


def test_note_is_added_to_history_without_a_new_version(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.post(
        f"{URL}/{task['id']}/notes",
        json={"text": "Bukti: notulen rapat 12 Maret (PDF) ✅"},
        headers=w.headers,
    )

    note = response.json()
    history = client.get(f"{URL}/{task['id']}/history", headers=w.headers).json()["items"]
    assert response.status_code == 201
    assert response.headers["location"].endswith(f"{URL}/{task['id']}/history")
    assert (note["action"], note["note"], note["actor"]["id"]) == (
        "note",
        "Bukti: notulen rapat 12 Maret (PDF) ✅",
        str(w.user.id),
    )
    assert history[-1] == note
    assert stored(session, task["id"]).version == 1


def test_note_refreshes_the_history_etag(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)
    history_url = f"{URL}/{task['id']}/history"
    etag = client.get(history_url, headers=w.headers).headers["etag"]

    client.post(f"{URL}/{task['id']}/notes", json={"text": "catatan"}, headers=w.headers)
    again = client.get(history_url, headers={**w.headers, "If-None-Match": etag})

    change = session.exec(select(Change).order_by(col(Change.seq).desc())).first()
    assert again.status_code == 200
    assert change is not None
    assert change.action == "noted"


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {}, {"text": "x" * 4001}])
def test_empty_or_oversized_note_is_422(
    client: TestClient, session: Session, body: dict[str, Any]
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.post(f"{URL}/{task['id']}/notes", json=body, headers=w.headers)

    assert response.status_code == 422
    assert fields(response.json()) == ["text"]


def test_contributor_note_on_own_task_is_201_and_elsewhere_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    own = make_task(session, commitment=w.commitment, support=[w.ministry])
    other = make_task(session, commitment=w.commitment, lead=make_organisation(session))
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    mine = client.post(f"{URL}/{own.id}/notes", json={"text": "ok"}, headers=headers)
    theirs = client.post(f"{URL}/{other.id}/notes", json={"text": "ok"}, headers=headers)

    assert (mine.status_code, theirs.status_code) == (201, 403)


def test_viewer_note_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment)
    _, headers = login(session, role=Role.viewer)

    response = client.post(f"{URL}/{task.id}/notes", json={"text": "ok"}, headers=headers)

    assert response.status_code == 403


def test_history_pages_oldest_first(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)
    for index in range(4):
        client.post(f"{URL}/{task['id']}/notes", json={"text": f"n{index}"}, headers=w.headers)

    first = client.get(f"{URL}/{task['id']}/history", params={"limit": 3}, headers=w.headers)
    rest = client.get(
        f"{URL}/{task['id']}/history",
        params={"limit": 3, "cursor": first.json()["next_cursor"]},
        headers=w.headers,
    )

    notes = [h["note"] for h in first.json()["items"] + rest.json()["items"]]
    assert 'rel="next"' in first.headers["link"]
    assert notes == [None, "n0", "n1", "n2", "n3"]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize("ref", [UNKNOWN, "not-a-uuid"])
def test_history_of_unknown_task_is_404(client: TestClient, session: Session, ref: str) -> None:
    w = world(session)

    response = client.get(f"{URL}/{ref}/history", headers=w.headers)

    assert response.status_code == 404


def test_history_without_token_is_401(client: TestClient, session: Session) -> None:
    task = make_task(session)

    response = client.get(f"{URL}/{task.id}/history")

    assert response.status_code == 401
