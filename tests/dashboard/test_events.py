from collections.abc import Callable

import httpx
import orjson
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role
from tests.dashboard import sse
from tests.dashboard.conftest import AppFactory
from tests.dashboard.test_changes import _create_organisation, _seqs
from tests.dashboard.test_fastpath import _revoke_elsewhere
from tests.factories import auth, login, make_token, make_user

EVENTS = "/api/v1/events"
Serve = Callable[[FastAPI], str]


def _stream(url: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(10.0))


def test_events_deliver_changes_committed_after_connecting(
    make_app: AppFactory, serve: Serve, session: Session, db: Engine
) -> None:
    _, headers = login(session, role=Role.viewer)
    url = serve(make_app())

    with _stream(url, **headers) as http, http.stream("GET", EVENTS) as response:
        reader = sse.Reader(response)
        opening = reader.block()
        _create_organisation(db, "ECPAT")
        _create_organisation(db, "UNICEF")
        events = reader.changes(2)

    assert response.headers["content-type"].startswith("text/event-stream")
    assert opening == {"retry": "3000"}
    assert [(e["entity"], e["data"]["code"]) for e in events] == [
        ("organisation", "ECPAT"),
        ("organisation", "UNICEF"),
    ]
    assert [e["id"] for e in events] == _seqs(db)[-2:]
    assert all(e["id"] == e["seq"] for e in events)


def test_events_resume_after_last_event_id(
    make_app: AppFactory, serve: Serve, session: Session, db: Engine
) -> None:
    _, headers = login(session, role=Role.viewer)
    for code in ("A", "B", "C"):
        _create_organisation(db, code)
    first = _seqs(db)[0]
    url = serve(make_app())

    with (
        _stream(url, **headers) as http,
        http.stream("GET", EVENTS, headers={"Last-Event-ID": str(first)}) as response,
    ):
        events = sse.Reader(response).changes(2)

    assert [e["data"]["code"] for e in events] == ["B", "C"]


def test_events_resume_after_the_query_cursor_unless_last_event_id_is_sent(
    make_app: AppFactory, serve: Serve, session: Session, db: Engine
) -> None:
    _, headers = login(session, role=Role.viewer)
    for code in ("A", "B", "C"):
        _create_organisation(db, code)
    seqs = _seqs(db)
    url = serve(make_app())

    with _stream(url, **headers) as http:
        with http.stream("GET", EVENTS, params={"after": seqs[0]}) as response:
            by_query = sse.Reader(response).changes(2)
        with http.stream(
            "GET", EVENTS, params={"after": seqs[0]}, headers={"Last-Event-ID": str(seqs[1])}
        ) as response:
            by_header = sse.Reader(response).changes(1)

    assert [e["data"]["code"] for e in by_query] == ["B", "C"]
    assert [e["data"]["code"] for e in by_header] == ["C"]


def test_events_send_a_heartbeat_when_nothing_happens(
    make_app: AppFactory, serve: Serve, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)
    url = serve(make_app(events_heartbeat_seconds=0.05))

    with _stream(url, **headers) as http, http.stream("GET", EVENTS) as response:
        reader = sse.Reader(response)
        opening, beat = reader.block(), reader.block()

    assert opening == {"retry": "3000"}
    assert beat == {"comment": "heartbeat"}


def test_events_without_token_is_401(make_app: AppFactory, serve: Serve) -> None:
    url = serve(make_app())

    response = httpx.get(url + EVENTS, timeout=10)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_events_with_a_bad_last_event_id_is_422(
    make_app: AppFactory, serve: Serve, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)
    url = serve(make_app())

    response = httpx.get(url + EVENTS, headers={**headers, "Last-Event-ID": "abc"}, timeout=10)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Last-Event-ID"


def test_public_events_carry_no_data_and_no_token_changes(
    make_app: AppFactory, serve: Serve, session: Session, db: Engine
) -> None:
    url = serve(make_app(public_dashboard=True))
    user, admin = login(session, role=Role.admin)

    with _stream(url) as http, http.stream("GET", EVENTS) as response:
        reader = sse.Reader(response)
        reader.block()
        http.post(
            "/api/v1/tokens", json={"user_id": str(user.id), "name": "extra"}, headers=admin
        )  # a token change
        _create_organisation(db, "PUBLIC")
        events = reader.changes(1)

    assert [(e["entity"], e["data"]) for e in events] == [("organisation", None)]


def test_events_end_when_the_token_is_revoked(
    make_app: AppFactory, serve: Serve, session: Session, db: Engine
) -> None:
    secret = make_token(session, user=make_user(session, role=Role.viewer))
    url = serve(make_app(data_version_refresh_seconds=0.05))

    with _stream(url, **auth(secret)) as http, http.stream("GET", EVENTS) as response:
        reader = sse.Reader(response)
        reader.block()
        _revoke_elsewhere(db, secret)
        rest = reader.rest()  # ends: the server closed the stream

    # The stream ended by itself (a read would have timed out otherwise), at most after
    # telling of the revocation.
    assert [orjson.loads(b["data"])["entity"] for b in rest if "data" in b] in ([], ["token"])


def test_events_end_when_the_server_shuts_down(
    make_app: AppFactory, serve: Serve, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)
    app = make_app()
    url = serve(app)

    with _stream(url, **headers) as http, http.stream("GET", EVENTS) as response:
        reader = sse.Reader(response)
        reader.block()
        clients = REGISTRY.get_sample_value("pantau_sse_clients")
        app.state.live.hub.close()
        rest = reader.rest()

    assert clients is not None
    assert clients >= 1
    assert rest == []
