"""The poll fast path keeps the answers of polled collections by their ETag
(app.dashboard.fastpath.PollCache): a GET whose answer is kept is served without the database,
and never to a caller, a language, an address or a data version it was not given for."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.changes import service as changes
from app.dashboard.fastpath import Answer, PollCache
from app.db import unit_of_work
from app.models import Role, Task
from tests.conftest import NOW
from tests.dashboard.conftest import AppFactory, World
from tests.dashboard.test_fastpath import (
    QUIET,
    SUMMARY,
    TASKS,
    Opener,
    _quiet_client,
    _refresh,
    statements,
)
from tests.factories import auth, login, make_token, make_user

CHANGES = "/api/v1/changes"


def _titles(client: TestClient, headers: dict[str, str]) -> set[str]:
    response = client.get(TASKS, headers=headers)
    assert response.status_code == 200, response.text
    return {item["title"] for item in response.json()["items"]}


def test_a_second_get_is_the_kept_answer_without_the_database(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    for url in (TASKS, SUMMARY):
        first = client.get(url, headers=world.headers)

        with statements(db) as run:
            again = client.get(url, headers={**world.headers, "If-None-Match": '"stale"'})

        assert (again.status_code, run) == (200, [])
        assert (again.content, again.headers["etag"]) == (first.content, first.headers["etag"])
        assert again.headers["content-type"] == first.headers["content-type"]


def test_a_write_in_this_process_is_in_the_next_answer(
    make_app: AppFactory, open_client: Opener, world: World, session: Session
) -> None:
    client = _quiet_client(make_app, open_client)
    _, admin = login(session, role=Role.admin)
    _refresh(client)
    before = _titles(client, world.headers)
    task = world.tasks["T3"]

    patched = client.patch(
        f"{TASKS}/{task.id}", json={"title": "Renamed"}, headers={**admin, "If-Match": '"1"'}
    )
    after = _titles(client, world.headers)

    assert patched.status_code == 200, patched.text
    assert (task.title in before, "Renamed" in before) == (True, False)
    assert (task.title in after, "Renamed" in after) == (False, True)


def test_a_write_elsewhere_is_in_the_answer_after_a_refresh(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    _titles(client, world.headers)
    with unit_of_work(db) as session:  # as another replica would
        task = session.get(Task, world.tasks["T4"].id)
        assert task is not None
        task.title = "Written elsewhere"
        session.add(task)
        session.flush()
        changes.record(
            session, entity="task", entity_id=task.id, action="updated", version=2, data={}, at=NOW
        )

    _refresh(client)

    assert "Written elsewhere" in _titles(client, world.headers)


def test_an_admins_change_feed_is_never_served_to_a_reader(
    make_app: AppFactory, open_client: Opener, world: World, session: Session
) -> None:
    client = _quiet_client(make_app, open_client)
    _, admin = login(session, role=Role.admin)
    client.post(
        "/api/v1/users",
        json={"name": "Sari", "email": "sari@example.org", "role": "viewer"},
        headers=admin,
    )
    _refresh(client)

    admins = client.get(CHANGES, params={"limit": 200}, headers=admin)
    readers = client.get(CHANGES, params={"limit": 200}, headers=world.headers)

    users = [item for item in admins.json()["items"] if item["entity"] == "user"]
    assert users[-1]["data"] is not None
    hidden = [item for item in readers.json()["items"] if item["entity"] == "user"]
    assert [item["data"] for item in hidden] == [None] * len(users)
    assert admins.headers["etag"] != readers.headers["etag"]


def test_assignee_me_is_each_callers_own(
    make_app: AppFactory, open_client: Opener, world: World, session: Session
) -> None:
    alice, bob = make_user(session, role=Role.viewer), make_user(session, role=Role.viewer)
    for user, name in ((alice, "T1"), (bob, "T3")):
        task = world.tasks[name]
        task.assignee_id = user.id
        session.add(task)
    session.commit()
    alices, bobs = auth(make_token(session, user=alice)), auth(make_token(session, user=bob))
    client = _quiet_client(make_app, open_client)  # its snapshot knows both tokens
    mine = {"assignee": "me"}

    first = client.get(TASKS, params=mine, headers=alices)
    second = client.get(TASKS, params=mine, headers=bobs)
    polled = client.get(
        TASKS, params=mine, headers={**bobs, "If-None-Match": first.headers["etag"]}
    )

    assert [item["title"] for item in first.json()["items"]] == [world.tasks["T1"].title]
    assert [item["title"] for item in second.json()["items"]] == [world.tasks["T3"].title]
    assert first.headers["etag"] != second.headers["etag"]
    assert polled.status_code == 200


def test_assignee_me_percent_encoded_is_each_callers_own_too(
    make_app: AppFactory, open_client: Opener, world: World, session: Session
) -> None:
    alice, bob = make_user(session, role=Role.viewer), make_user(session, role=Role.viewer)
    task = world.tasks["T1"]
    task.assignee_id = alice.id
    session.add(task)
    session.commit()
    alices, bobs = auth(make_token(session, user=alice)), auth(make_token(session, user=bob))
    client = _quiet_client(make_app, open_client)  # its snapshot knows both tokens
    url = f"{TASKS}?assignee=%6De"

    first = client.get(url, headers=alices)
    polled = client.get(url, headers={**bobs, "If-None-Match": first.headers["etag"]})

    assert [item["title"] for item in first.json()["items"]] == [task.title]
    assert (polled.status_code, polled.json()["items"]) == (200, [])


def test_links_name_the_host_asked(make_app: AppFactory, open_client: Opener, world: World) -> None:
    client = _quiet_client(make_app, open_client)
    page = {"limit": 2}

    client.get(TASKS, params=page, headers={**world.headers, "Host": "a.example"})
    other = client.get(TASKS, params=page, headers={**world.headers, "Host": "b.example"})

    assert "://b.example/" in other.headers["link"]


def test_a_revoked_token_is_refused_a_kept_answer(
    make_app: AppFactory, open_client: Opener, world: World, session: Session, db: Engine
) -> None:
    _, admin = login(session, role=Role.admin)
    viewer = make_user(session, role=Role.viewer)
    secret = make_token(session, user=viewer)
    client = _quiet_client(make_app, open_client)  # its snapshot knows the token
    client.get(TASKS, headers=world.headers)  # the answer is kept
    with statements(db) as run:
        served = client.get(TASKS, headers=auth(secret))
    tokens = client.get("/api/v1/tokens", params={"user_id": str(viewer.id)}, headers=admin)
    revoked = client.delete(f"/api/v1/tokens/{tokens.json()['items'][0]['id']}", headers=admin)
    _refresh(client)

    assert (served.status_code, run) == (200, [])
    assert revoked.status_code == 204
    assert client.get(TASKS, headers=auth(secret)).status_code == 401


def test_no_answer_is_kept_when_the_cache_is_off(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = open_client(make_app(**{**QUIET, "poll_cache_bytes": 0}))
    _refresh(client)
    client.get(TASKS, headers=world.headers)

    with statements(db) as run:
        again = client.get(TASKS, headers=world.headers)

    assert again.status_code == 200
    assert run != []


def _answer(size: int) -> Answer:
    return Answer([(b"etag", b'W/"x"')], b"x" * size)


def test_cache_drops_the_least_recently_used_beyond_its_size() -> None:
    cache = PollCache(max_bytes=800)
    for name in ("a", "b", "c"):
        cache.put(1, (name, b"h"), _answer(100))
    cache.get(1, ("a", b"h"))  # used: "b" is now the oldest

    for name in ("d", "e", "f", "g", "h", "i"):
        cache.put(1, (name, b"h"), _answer(100))

    kept = {name for name in "abcdefghi" if cache.get(1, (name, b"h")) is not None}
    assert kept == {"a", "c", "d", "e", "f", "g", "h", "i"}


def test_cache_forgets_an_older_version_and_refuses_large_answers() -> None:
    cache = PollCache(max_bytes=800)
    cache.put(1, ("a", b"h"), _answer(10))
    cache.put(2, ("b", b"h"), _answer(10))
    cache.put(1, ("c", b"h"), _answer(10))  # late: answered from version 1
    cache.put(2, ("d", b"h"), _answer(101))  # over an eighth of the cache

    assert cache.get(1, ("a", b"h")) is None
    assert cache.get(2, ("b", b"h")) is not None
    assert cache.get(2, ("c", b"h")) is None
    assert cache.get(2, ("d", b"h")) is None
