import threading
import time
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.live import feed
from app.models import Change, Role
from app.organisations import service as organisations
from app.organisations.schemas import OrganisationCreate
from tests.conftest import NOW
from tests.dashboard.conftest import World
from tests.factories import login

URL = "/api/v1/changes"
TASKS = "/api/v1/tasks"


def _create_organisation(engine: Engine, code: str) -> None:
    data = OrganisationCreate(code=code, name_en=code, name_id=code, kind="ngo")
    with unit_of_work(engine) as session:
        organisations.create(session, data, actor_id=None, now=NOW)


def _seqs(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Change.seq).order_by(col(Change.seq))).all())


def test_changes_lists_creates_updates_and_deletes_in_order(
    client: TestClient, world: World, session: Session
) -> None:
    _, admin = login(session, role=Role.admin)
    task = world.tasks["T3"]
    start = client.get(URL, params={"limit": 200}, headers=admin).json()["items"]
    after = start[-1]["seq"] if start else 0
    client.patch(f"{TASKS}/{task.id}", json={"progress": 30}, headers={**admin, "If-Match": '"1"'})
    client.delete(f"{TASKS}/{task.id}", headers={**admin, "If-Match": '"2"'})

    response = client.get(URL, params={"after": after}, headers=world.headers)

    items = response.json()["items"]
    assert response.status_code == 200
    assert [(i["entity"], i["action"]) for i in items] == [("task", "updated"), ("task", "deleted")]
    assert items[0]["version"] == 2
    assert items[0]["data"]["progress"] == 30
    assert items[1]["data"] is None  # the tombstone
    assert {i["entity_id"] for i in items} == {str(task.id)}
    assert items[0]["seq"] < items[1]["seq"]


def test_changes_pages_with_after_and_a_next_link(
    client: TestClient, db: Engine, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)
    for code in ("A", "B", "C"):
        _create_organisation(db, code)

    first = client.get(URL, params={"limit": 2}, headers=headers)
    rest = client.get(
        URL, params={"after": first.json()["next_cursor"], "limit": 2}, headers=headers
    )

    assert [i["data"]["code"] for i in first.json()["items"]] == ["A", "B"]
    assert first.headers["link"].endswith('rel="next"')
    assert f"after={first.json()['next_cursor']}" in first.headers["link"]
    assert [i["data"]["code"] for i in rest.json()["items"]] == ["C"]
    assert rest.json()["next_cursor"] is None


def test_changes_hide_user_data_from_non_admins(client: TestClient, session: Session) -> None:
    _, viewer = login(session, role=Role.viewer)
    _, admin = login(session, role=Role.admin)
    client.post(
        "/api/v1/users",
        json={"name": "Sari", "email": "sari@example.test", "role": "viewer"},
        headers=admin,
    )

    as_viewer = client.get(URL, headers=viewer).json()["items"]
    as_admin = client.get(URL, headers=admin).json()["items"]

    assert [i["data"] for i in as_viewer if i["entity"] == "user"] == [None]
    assert [i["data"]["name"] for i in as_admin if i["entity"] == "user"] == ["Sari"]


def test_changes_without_token_is_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("after", ["-1", "x", str(2**63)])
def test_changes_with_a_bad_cursor_is_422(client: TestClient, session: Session, after: str) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.get(URL, params={"after": after}, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "after"


def test_changes_with_a_limit_over_200_is_422(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    assert client.get(URL, params={"limit": 201}, headers=headers).status_code == 422


def test_feed_reader_sees_every_change_once_in_order_with_concurrent_writers(db: Engine) -> None:
    writers, writes = 6, 15
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for index in range(writes):
                _create_organisation(db, f"W{number}-{index}-{uuid4().hex[:6]}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    seen = _follow(db, until=lambda: not any(thread.is_alive() for thread in threads))

    assert errors == []
    assert seen == _seqs(db)
    assert len(seen) == writers * writes


def _follow(engine: Engine, *, until: object) -> list[int]:
    """Read the feed as a client would, page after page, until the writers are done."""
    seen: list[int] = []
    done = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        finished = done
        with Session(engine) as session:
            page = feed.read(session, after=seen[-1] if seen else 0, limit=7)
        seen.extend(change.seq for change in page)
        if finished and not page:
            return seen
        done = bool(until() if callable(until) else until)
    raise AssertionError("the writers did not finish")


def test_a_later_writer_waits_for_an_earlier_one_so_the_feed_skips_nothing(
    db: Engine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite never runs two writers at once")
    release = threading.Event()
    first_recorded = threading.Event()

    def slow_writer() -> None:
        with unit_of_work(db) as session:
            organisations.create(
                session,
                OrganisationCreate(code="SLOW", name_en="S", name_id="S", kind="ngo"),
                actor_id=None,
                now=NOW,
            )
            first_recorded.set()
            release.wait(30)  # holds its seq uncommitted while the next writer tries

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert first_recorded.wait(30)
    fast = threading.Thread(target=_create_organisation, args=(db, "FAST"))
    fast.start()
    _wait_for_a_lock_wait(db)

    with Session(db) as session:
        meanwhile = feed.read(session, after=0, limit=50)
    release.set()
    slow.join(30)
    fast.join(30)
    with Session(db) as session:
        afterwards = feed.read(session, after=0, limit=50)

    assert meanwhile == []
    assert [change.data["code"] for change in afterwards if change.data] == ["SLOW", "FAST"]
    assert [change.seq for change in afterwards] == sorted(c.seq for c in afterwards)


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Until some session of this database waits on a row lock (the fast writer)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query).scalar_one():
                return
    raise AssertionError("the second writer never waited for the first")
