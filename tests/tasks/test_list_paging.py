from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.models import Role, TaskStatus
from tests.conftest import NOW
from tests.factories import login, make_commitment, make_task
from tests.tasks.support import URL, create, world


def test_list_tasks_with_foreign_cursor_is_400(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.get(URL, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=w.headers)

    assert response.status_code == 400


def test_list_tasks_pages_through_everything_once(client: TestClient, session: Session) -> None:
    w = world(session)
    tasks = [make_task(session, commitment=w.commitment) for _ in range(7)]
    for minutes, task in zip([5, 0, 5, 1, 0, 5, 2], tasks, strict=True):
        task.created_at = NOW + timedelta(minutes=minutes)  # ties are broken by id
        session.add(task)
    session.commit()
    expected = {str(task.id) for task in tasks}
    seen: list[str] = []
    pages = 0
    params: dict[str, Any] = {"limit": 3}

    while True:
        response = client.get(URL, params=params, headers=w.headers)
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            assert "link" not in response.headers
            break
        assert f"cursor={page['next_cursor']}" in response.headers["link"]
        params = {"limit": 3, "cursor": page["next_cursor"]}

    assert pages == 3
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_list_tasks_paging_keeps_filters_and_survives_a_new_task(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    for _ in range(3):
        make_task(session, commitment=w.commitment, status=TaskStatus.blocked)
    make_task(session, commitment=w.commitment, status=TaskStatus.completed)
    first = client.get(URL, params={"limit": 2, "status": "blocked"}, headers=w.headers).json()
    create(client, w)  # created meanwhile: later in creation order, and not blocked

    rest = client.get(
        URL,
        params={"limit": 2, "status": "blocked", "cursor": first["next_cursor"]},
        headers=w.headers,
    ).json()

    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 3
    assert rest["next_cursor"] is None


def test_list_tasks_answers_304_until_something_changes(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment)
    first = client.get(URL, headers=w.headers)
    etag = first.headers["etag"]

    hit = client.get(URL, headers={**w.headers, "If-None-Match": etag})
    create(client, w)
    miss = client.get(URL, headers={**w.headers, "If-None-Match": etag})

    assert (hit.status_code, hit.content, hit.headers["etag"]) == (304, b"", etag)
    assert miss.status_code == 200
    assert len(miss.json()["items"]) == 2


def test_list_tasks_etag_differs_by_filter(client: TestClient, session: Session) -> None:
    w = world(session)

    everything = client.get(URL, headers=w.headers).headers["etag"]
    blocked = client.get(URL, params={"status": "blocked"}, headers=w.headers).headers["etag"]

    assert everything != blocked


def test_list_tasks_without_token_is_401(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401


def test_list_tasks_by_viewer_shows_owners_for_every_task(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    for _ in range(3):
        make_task(session, commitment=w.commitment, lead=w.ministry, support=[w.ngo])
    _, viewer = login(session, role=Role.viewer)

    items = client.get(URL, headers=viewer).json()["items"]

    assert [[o["role"] for o in item["owners"]] for item in items] == [["lead", "support"]] * 3


def _statements(db: Engine, call: Callable[[], object]) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        statement = str(args[2]).lower()
        # Only the list's own reads: the app's background threads share the engine.
        if "task" in statement or "commitment" in statement:
            seen.append(statement)

    event.listen(db, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db, "before_cursor_execute", count)
    return len(seen)


def test_list_tasks_runs_the_same_queries_for_3_or_30_tasks(
    client: TestClient, session: Session, db: Engine
) -> None:
    w = world(session)
    other = make_commitment(session, plan=w.plan)
    for _ in range(3):
        make_task(session, commitment=w.commitment, lead=w.ministry, support=[w.ngo])
    few = _statements(db, lambda: client.get(URL, headers=w.headers))
    for index in range(27):
        commitment = other if index % 2 else w.commitment
        make_task(session, commitment=commitment, lead=w.ngo, support=[w.ministry])

    many = _statements(db, lambda: client.get(URL, headers=w.headers))

    assert few == many == 1  # the page: each task with its commitment, plan, pillar and owners
