import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.responses import JSONResponse

from app.auth import hash_secret
from app.clock import FixedClock
from app.idempotency import fingerprint
from app.models import Change, IdempotentRequest, Organisation, Role
from tests.conftest import NOW
from tests.factories import auth, login, make_token, make_user

URL = "/api/v1/organisations"
BODY = {
    "code": "KPAI",
    "name_en": "Child Protection Commission",
    "name_id": "KPAI",
    "kind": "agency",
}


def _post(
    client: TestClient, headers: dict[str, str], key: str, body: dict[str, str] = BODY
) -> httpx.Response:
    response: httpx.Response = client.post(
        URL, json=body, headers={**headers, "Idempotency-Key": key}
    )
    return response


def _organisations(session: Session) -> list[str]:
    return list(session.exec(select(Organisation.code)).all())


def test_repeat_returns_the_first_answer_and_creates_once(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    first = _post(client, headers, "k-1")
    repeat = _post(client, headers, "k-1")

    assert (first.status_code, repeat.status_code) == (201, 201)
    assert repeat.content == first.content
    assert repeat.headers["etag"] == first.headers["etag"]
    assert repeat.headers["location"] == first.headers["location"]
    assert repeat.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _organisations(session) == ["KPAI"]
    assert len(session.exec(select(Change)).all()) == 1


def test_same_key_with_another_body_is_422_mismatch(client: TestClient, session: Session) -> None:
    _, headers = login(session)
    _post(client, headers, "k-1")

    other = _post(client, headers, "k-1", {**BODY, "code": "KOMNASHAM"})

    assert other.status_code == 422
    assert other.json()["type"] == "urn:pantau:problem:idempotency-mismatch"
    assert _organisations(session) == ["KPAI"]


def test_same_key_on_another_path_is_422_mismatch(client: TestClient, session: Session) -> None:
    me, headers = login(session)
    _post(client, headers, "k-1")

    other = client.post(
        "/api/v1/tokens",
        json={"user_id": str(me.id), "name": "x"},
        headers={**headers, "Idempotency-Key": "k-1"},
    )

    assert other.status_code == 422


def test_same_key_of_another_token_is_independent(client: TestClient, session: Session) -> None:
    _, headers = login(session)
    _, other_headers = login(session)

    mine = _post(client, headers, "shared")
    theirs = _post(client, other_headers, "shared", {**BODY, "code": "BSSN"})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert sorted(_organisations(session)) == ["BSSN", "KPAI"]


def test_client_error_is_stored_and_replayed(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    first = _post(client, headers, "k-1")
    repeat = _post(client, headers, "k-1")

    assert (first.status_code, repeat.status_code) == (403, 403)
    assert repeat.headers["idempotent-replayed"] == "true"
    assert repeat.headers["content-type"] == "application/problem+json"


def _flaky_route(app: FastAPI, outcomes: list[int]) -> list[int]:
    """A POST route that answers the given statuses in turn; returns the calls it saw."""
    calls: list[int] = []

    def flaky() -> JSONResponse:
        calls.append(len(calls))
        status = outcomes[len(calls) - 1]
        if status == 0:
            raise RuntimeError("the handler crashed")
        return JSONResponse({"status": status}, status_code=status)

    app.add_api_route("/test/flaky", flaky, methods=["POST"])
    return calls


def test_a_5xx_or_a_crash_is_not_stored_so_the_retry_runs(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    calls = _flaky_route(app, [503, 0, 201, 201])
    _, headers = login(session)
    keyed = {**headers, "Idempotency-Key": "k-1"}

    answers = [client.post("/test/flaky", json={}, headers=keyed).status_code for _ in range(4)]

    assert answers == [503, 500, 201, 201]
    assert len(calls) == 3
    assert session.exec(select(IdempotentRequest.status_code)).all() == [201]


def test_arrival_while_the_first_runs_is_409_then_replays(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow() -> JSONResponse:
        started.set()
        release.wait(timeout=30)
        return JSONResponse({}, status_code=201)

    app.add_api_route("/test/slow", slow, methods=["POST"])
    _, headers = login(session)
    keyed = {**headers, "Idempotency-Key": "k-1"}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/test/slow", json={}, headers=keyed)
        assert started.wait(timeout=30)
        second = client.post("/test/slow", json={}, headers=keyed)
        release.set()
        first_status = first.result(timeout=30).status_code
    third = client.post("/test/slow", json={}, headers=keyed)

    assert second.status_code == 409
    assert second.json()["type"] == "urn:pantau:problem:idempotency-in-progress"
    assert second.headers["retry-after"] == "1"
    assert (first_status, third.status_code) == (201, 201)
    assert third.headers["idempotent-replayed"] == "true"


def test_two_threads_sending_the_same_key_at_once_create_once(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    barrier = threading.Barrier(6)

    def send() -> httpx.Response:
        barrier.wait(timeout=30)
        return _post(client, headers, "k-1")

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: send(), range(6)))

    created = [a for a in answers if a.status_code == 201]
    others = [a for a in answers if a.status_code != 201]
    assert _organisations(session) == ["KPAI"]
    assert created
    assert {a.content for a in created} == {created[0].content}
    assert {a.json()["type"] for a in others} <= {"urn:pantau:problem:idempotency-in-progress"}


def test_key_older_than_24_hours_may_be_reused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    _, headers = login(session)
    _post(client, headers, "k-1")

    clock.advance(timedelta(hours=24, seconds=1))
    reused = _post(client, headers, "k-1", {**BODY, "code": "BSSN"})

    assert reused.status_code == 201
    assert sorted(_organisations(session)) == ["BSSN", "KPAI"]
    assert len(session.exec(select(IdempotentRequest)).all()) == 1


def _claim(
    session: Session, secret: str, key: str, age: timedelta, holder: str | None = None
) -> None:
    mark = fingerprint("POST", URL, b"", httpx.Request("POST", "http://x", json=BODY).read())
    session.add(
        IdempotentRequest(
            token_hash=hash_secret(secret),
            key=key,
            fingerprint=mark,
            created_at=NOW - age,
            holder=holder,
        )
    )
    session.commit()


def test_a_fresh_claim_of_a_dead_holder_is_taken_over_at_once(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    secret = make_token(session, user=make_user(session, role=Role.admin))
    app.state.holder.hold()
    _claim(session, secret, "dead", timedelta(seconds=1), holder="4242")  # nobody holds its lock
    _claim(session, secret, "live", timedelta(hours=1), holder=app.state.holder.id)

    dead = _post(client, auth(secret), "dead")
    live = _post(client, auth(secret), "live")

    assert (dead.status_code, live.status_code) == (201, 409)
    assert live.headers["retry-after"] == "1"


def test_a_claim_made_before_claims_named_their_holder_is_taken_over_once_stale(
    client: TestClient, session: Session
) -> None:
    secret = make_token(session, user=make_user(session, role=Role.admin))
    _claim(session, secret, "fresh", timedelta(seconds=10))
    _claim(session, secret, "stale", timedelta(minutes=10))

    fresh = _post(client, auth(secret), "fresh")
    stale = _post(client, auth(secret), "stale")

    assert (fresh.status_code, stale.status_code) == (409, 201)


def test_key_without_a_bearer_token_is_not_recorded(client: TestClient, session: Session) -> None:
    response = client.post(URL, json=BODY, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 401
    assert session.exec(select(IdempotentRequest)).all() == []


def test_malformed_key_is_400(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    long = _post(client, headers, "k" * 201)
    spaced = _post(client, headers, "two words")

    assert (long.status_code, spaced.status_code) == (400, 400)
    assert _organisations(session) == []


def test_oversized_body_with_a_key_is_413_and_not_claimed(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    response = _post(client, headers, "k-1", {**BODY, "name_en": "x" * 2_000_000})

    assert response.status_code == 413
    assert session.exec(select(IdempotentRequest)).all() == []
