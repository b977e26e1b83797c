from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, History, Role
from tests.factories import login, make_organisation, make_task
from tests.tasks.support import URL, create, if_match, stored, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def _history(session: Session, task_id: object) -> list[History]:
    statement = select(History).where(col(History.entity_id) == UUID(str(task_id)))
    return list(session.exec(statement.order_by(col(History.id))).all())


def test_delete_task_keeps_history_and_leaves_a_tombstone(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.delete(f"{URL}/{task['id']}", headers=if_match(w.headers, task))

    history = client.get(f"{URL}/{task['id']}/history", headers=w.headers)
    tombstone = session.exec(select(Change).order_by(col(Change.seq).desc())).first()
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"{URL}/{task['id']}", headers=w.headers).status_code == 404
    assert [row["action"] for row in history.json()["items"]] == ["created", "deleted"]
    assert tombstone is not None
    assert (tombstone.action, tombstone.data, str(tombstone.entity_id)) == (
        "deleted",
        None,
        task["id"],
    )


def test_delete_without_if_match_is_428(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = client.delete(f"{URL}/{task['id']}", headers=w.headers)

    assert response.status_code == 428
    assert stored(session, task["id"]).version == 1


def test_delete_with_stale_if_match_is_412(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = client.delete(f"{URL}/{task['id']}", headers={**w.headers, "If-Match": '"9"'})

    assert response.status_code == 412


def test_delete_by_contributor_is_403(client: TestClient, session: Session) -> None:
    w = world(session)
    organisation = make_organisation(session)
    task = make_task(session, commitment=w.commitment, lead=organisation)
    _, headers = login(session, role=Role.contributor, organisation=organisation)

    response = client.delete(f"{URL}/{task.id}", headers=if_match(headers, task))

    assert response.status_code == 403
    assert stored(session, task.id).version == 1


def test_delete_unknown_task_is_404(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.delete(f"{URL}/{UNKNOWN}", headers={**w.headers, "If-Match": '"1"'})

    assert response.status_code == 404
