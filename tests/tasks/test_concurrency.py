import time
from threading import Thread
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import unit_of_work
from app.tasks import service
from tests.tasks.support import URL, create, stored, world


def _wait_until_someone_waits_for_a_lock(engine: Engine) -> None:
    deadline = time.monotonic() + 10
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query).scalar_one():
                return
        time.sleep(0.01)  # polling for the other thread's state, not waiting for time to pass
    pytest.fail("the second PATCH never waited for the row lock")


@pytest.mark.postgresql_only
def test_patch_waits_for_a_concurrent_writer_and_then_is_412(
    client: TestClient, session: Session, db: Engine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; this is about row locks")
    w = world(session)
    task = create(client, w)
    answers: list[Any] = []

    def second_writer() -> None:
        answers.append(
            client.patch(
                f"{URL}/{task['id']}",
                json={"progress": 20},
                headers={**w.headers, "If-Match": '"1"'},
            )
        )

    with unit_of_work(db) as first:
        locked = service.get(first, task["id"], for_update=True)
        thread = Thread(target=second_writer)
        thread.start()
        _wait_until_someone_waits_for_a_lock(db)
        locked.progress, locked.version = 10, 2  # the first writer wins while the second waits
        first.add(locked)
    thread.join(timeout=10)

    assert [answer.status_code for answer in answers] == [412]
    assert stored(session, task["id"]).progress == 10
