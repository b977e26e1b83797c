"""Repeated failed authentication from one client gets 429 with Retry-After, counted in the
database so that every replica counts the same (app.limits, decision 15)."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Role
from tests.factories import login

TASKS = "/api/v1/tasks"
BAD = {"Authorization": "Bearer pnt_not-a-token-of-anyone"}
LIMIT = {"auth_failures_per_client": 3, "auth_failure_window_seconds": 300}
Opener = Callable[..., TestClient]


@pytest.fixture
def open_replica(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[Opener]:
    """Apps on the one test database, as replicas are; `address` is the client's."""
    opened: list[TestClient] = []

    def open_one(address: str = "192.0.2.10") -> TestClient:
        app = create_app(settings.model_copy(update=LIMIT), clock=clock, engine=db)
        client = TestClient(app, raise_server_exceptions=False, client=(address, 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)


def test_failures_beyond_the_limit_get_429_with_retry_after(open_replica: Opener) -> None:
    client = open_replica()

    failures = [client.get(TASKS, headers=BAD).status_code for _ in range(3)]
    refused = client.get(TASKS, headers=BAD)
    in_indonesian = client.get(TASKS, headers={**BAD, "Accept-Language": "id"})

    assert failures == [401, 401, 401]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 300
    assert "try again in" in refused.json()["detail"]
    assert "coba lagi dalam" in in_indonesian.json()["detail"]


def test_replicas_share_the_count(open_replica: Opener) -> None:
    first, second = open_replica(), open_replica()

    answers = [replica.get(TASKS, headers=BAD).status_code for replica in (first, second) * 2]

    assert answers == [401, 401, 401, 429]


def test_a_valid_token_and_another_client_are_not_refused(
    open_replica: Opener, session: Session
) -> None:
    _, good = login(session, role=Role.viewer)
    client, elsewhere = open_replica(), open_replica("198.51.100.7")
    for _ in range(4):
        client.get(TASKS, headers=BAD)

    assert client.get(TASKS, headers=BAD).status_code == 429
    assert client.get(TASKS, headers=good).status_code == 200
    assert elsewhere.get(TASKS, headers=BAD).status_code == 401


def test_the_count_starts_again_in_the_next_window(open_replica: Opener, clock: FixedClock) -> None:
    client = open_replica()
    for _ in range(3):
        client.get(TASKS, headers=BAD)
    refused = client.get(TASKS, headers=BAD)

    clock.advance(timedelta(seconds=int(refused.headers["retry-after"])))

    assert refused.status_code == 429
    assert client.get(TASKS, headers=BAD).status_code == 401


def test_unknown_feed_keys_and_sessions_count_as_failures(open_replica: Opener) -> None:
    client = open_replica()

    answers = [
        client.get("/api/v1/calendar.ics?key=nope").status_code,
        client.get(TASKS, headers={"Cookie": "pantau_session=pss_nope"}).status_code,
        client.get(TASKS, headers=BAD).status_code,
        client.get("/api/v1/calendar.ics?key=nope").status_code,
    ]

    assert answers == [401, 401, 401, 429]


def test_a_request_without_credentials_is_not_a_failure(open_replica: Opener) -> None:
    client = open_replica()

    answers = {client.get(TASKS).status_code for _ in range(5)}

    assert answers == {401}
