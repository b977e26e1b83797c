"""The request's unit of work: reads without a transaction, and a bounded number of requests
using the database at once, however many arrive (app.db)."""

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.clock import FixedClock
from app.config import Settings
from app.db import concurrency, unit_of_work
from app.main import create_app
from app.models import Organisation, OrganisationKind, Role
from tests.factories import login, make_organisation, make_task

# More requests at once than the connection pool (15 with SQLite, 20 with PostgreSQL) and the
# thread pool (40) hold: the slots queue them, none fails.
CLIENTS = 64


def _organisations(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Organisation)).one()


def test_read_unit_of_work_sees_each_statement_afresh(db: Engine, session: Session) -> None:
    make_organisation(session)
    with unit_of_work(db, write=False) as reading:
        before = _organisations(reading)
        with unit_of_work(db) as writing:
            writing.add(
                Organisation(
                    code="BSSN", name_en="BSSN", name_id="BSSN", kind=OrganisationKind.agency
                )
            )
        after = _organisations(reading)

    assert (before, after) == (1, 2)


def test_write_unit_of_work_commits_at_its_end(db: Engine, session: Session) -> None:
    with unit_of_work(db) as writing:
        writing.add(
            Organisation(code="KPAI", name_en="KPAI", name_id="KPAI", kind=OrganisationKind.agency)
        )
        seen_meanwhile = _organisations(session)
    session.rollback()

    assert (seen_meanwhile, _organisations(session)) == (0, 1)


def test_concurrency_is_one_of_each_kind_on_sqlite_and_half_the_pool_on_postgresql(
    db: Engine,
) -> None:
    expected = 1 if db.dialect.name == "sqlite" else 10

    assert concurrency(db, None) == expected
    assert concurrency(db, 3) == 3


@pytest.fixture
def served(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[str]:
    """The app under a real uvicorn (in a thread), one database slot per kind."""
    app = create_app(settings.model_copy(update={"db_concurrency": 1}), clock=clock, engine=db)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    app.state.live.hub.close()
    server.should_exit = True
    thread.join(timeout=10)


def test_many_requests_at_once_are_all_answered(served: str, session: Session) -> None:
    organisation = make_organisation(session)
    for _ in range(3):
        make_task(session, lead=organisation)
    _, headers = login(session, role=Role.viewer)

    def get(_: int) -> int:
        with httpx.Client(base_url=served, headers=headers, timeout=20) as http:
            return http.get("/api/v1/tasks").status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(get, range(CLIENTS)))

    assert statuses == [200] * CLIENTS
