import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select
from starlette.requests import HTTPConnection
from starlette.routing import compile_path

from app.auth import hash_secret
from app.changes import service as changes
from app.clock import FixedClock, today_of
from app.config import Settings
from app.dashboard.fastpath import _ROLE_CHECK, _dependencies, pollable
from app.db import unit_of_work
from app.deps import data_etag
from app.http import collection_etag
from app.main import included_routers
from app.models import ApiToken, Role
from tests.conftest import NOW
from tests.dashboard.conftest import AppFactory, World
from tests.factories import auth, login, make_token, make_user

SUMMARY = "/api/v1/summary"
TASKS = "/api/v1/tasks"
# A long period: these tests refresh the watcher themselves, when they mean to.
QUIET = {"data_version_refresh_seconds": 600.0}
Opener = Callable[[FastAPI], TestClient]


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """SQL run by request handling (the watcher's own thread is left out)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if threading.current_thread().name != "pantau-data-watcher":
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _quiet_client(make_app: AppFactory, open_client: Opener, **changes: object) -> TestClient:
    client = open_client(make_app(**{**QUIET, **changes}))
    _refresh(client)
    return client


def _refresh(client: TestClient) -> None:
    client.app.state.live.watcher.refresh()  # type: ignore[attr-defined]


def _polls(outcome: str) -> float:
    return REGISTRY.get_sample_value("pantau_poll_total", {"outcome": outcome}) or 0.0


def test_poll_with_current_etag_is_304_without_touching_the_database(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    for url in (SUMMARY, TASKS):
        etag = client.get(url, headers=world.headers).headers["etag"]

        with statements(db) as run:
            response = client.get(url, headers={**world.headers, "If-None-Match": etag})

        assert (response.status_code, response.content) == (304, b"")
        assert response.headers["etag"] == etag
        assert run == []


def test_fast_path_etag_is_the_routes_etag(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    variants: list[dict[str, Any]] = [
        {"params": {"plan": "PERPRES-87-2025"}},
        {"params": {"status": ["blocked", "in_progress"]}},
        {"headers": {"Accept-Language": "id"}},
    ]
    for variant in variants:
        headers = {**world.headers, **variant.get("headers", {})}
        params = variant.get("params", {})
        route_etag = client.get(TASKS, params=params, headers=headers).headers["etag"]

        with statements(db) as run:
            polled = client.get(
                TASKS, params=params, headers={**headers, "If-None-Match": route_etag}
            )

        assert (polled.status_code, polled.headers["etag"], run) == (304, route_etag, [])


def test_etag_depends_on_language_and_query_not_on_the_caller(
    client: TestClient, world: World, session: Session
) -> None:
    _, other = login(session, role=Role.coordinator)
    _, admin = login(session, role=Role.admin)

    mine = client.get(SUMMARY, headers=world.headers).headers["etag"]
    theirs = client.get(SUMMARY, headers=other).headers["etag"]
    admins = client.get(SUMMARY, headers=admin).headers["etag"]
    indonesian = client.get(SUMMARY, headers={**world.headers, "Accept-Language": "id"})
    filtered = client.get(SUMMARY, params={"plan": "X"}, headers=world.headers)

    assert mine == theirs
    # An admin's audience reads more of the change feed (feed.Audience): its tags are apart.
    assert len({mine, admins, indonesian.headers["etag"], filtered.headers["etag"]}) == 4


def test_poll_without_token_is_401_even_with_a_current_etag(
    make_app: AppFactory, open_client: Opener, world: World
) -> None:
    client = _quiet_client(make_app, open_client)
    etag = client.get(TASKS, headers=world.headers).headers["etag"]

    response = client.get(TASKS, headers={"If-None-Match": etag})

    assert response.status_code == 401


def test_poll_with_unknown_token_is_401(
    make_app: AppFactory, open_client: Opener, world: World
) -> None:
    client = _quiet_client(make_app, open_client)
    etag = client.get(TASKS, headers=world.headers).headers["etag"]

    response = client.get(TASKS, headers=auth("pnt_forged", **{"If-None-Match": etag}))

    assert response.status_code == 401


def test_revoked_token_is_refused_once_the_watcher_has_seen_the_revocation(
    make_app: AppFactory, open_client: Opener, world: World, session: Session, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    user = make_user(session, role=Role.viewer)
    secret = make_token(session, user=user)
    _refresh(client)
    etag = client.get(TASKS, headers=auth(secret)).headers["etag"]
    _revoke_elsewhere(db, secret)  # as another replica would

    _refresh(client)
    response = client.get(TASKS, headers=auth(secret, **{"If-None-Match": etag}))

    assert response.status_code == 401


def _revoke_elsewhere(engine: Engine, secret: str) -> None:
    with unit_of_work(engine) as session:
        row = session.exec(
            select(ApiToken).where(col(ApiToken.token_hash) == hash_secret(secret))
        ).one()
        row.revoked_at = NOW
        session.add(row)
        session.flush()
        changes.record(
            session,
            entity="token",
            entity_id=row.id,
            action="deleted",
            version=2,
            data=None,
            at=NOW,
        )


def test_token_unknown_to_the_watcher_falls_through_to_the_route(
    make_app: AppFactory, open_client: Opener, world: World, session: Session, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    etag = client.get(TASKS, headers=world.headers).headers["etag"]
    fresh = make_token(session, user=make_user(session, role=Role.viewer))  # no version bump

    with statements(db) as run:
        response = client.get(TASKS, headers=auth(fresh, **{"If-None-Match": etag}))

    assert response.status_code == 304
    assert run != []  # answered by the route, which asked the database


def test_write_in_this_process_ends_the_fast_304_at_once(
    make_app: AppFactory, open_client: Opener, world: World, session: Session
) -> None:
    client = _quiet_client(make_app, open_client)
    _, admin = login(session, role=Role.admin)
    etag = client.get(SUMMARY, headers=world.headers).headers["etag"]
    task = world.tasks["T3"]

    client.patch(f"{TASKS}/{task.id}", json={"progress": 50}, headers={**admin, "If-Match": '"1"'})
    response = client.get(SUMMARY, headers={**world.headers, "If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_write_elsewhere_is_seen_after_a_refresh(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    etag = client.get(SUMMARY, headers=world.headers).headers["etag"]
    with unit_of_work(db) as session:
        changes.bump(session)

    _refresh(client)
    response = client.get(SUMMARY, headers={**world.headers, "If-None-Match": etag})

    assert response.status_code == 200


def test_stale_snapshot_is_not_trusted(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client)
    watcher = client.app.state.live.watcher  # type: ignore[attr-defined]
    etag = client.get(SUMMARY, headers=world.headers).headers["etag"]
    watcher.stale_after = 0.0  # as if the refresher had stopped

    with statements(db) as run:
        response = client.get(SUMMARY, headers={**world.headers, "If-None-Match": etag})

    assert response.status_code == 304
    assert run != []


def test_poll_with_an_unknown_parameter_is_left_to_the_route(
    make_app: AppFactory,
    open_client: Opener,
    world: World,
    session: Session,
    clock: FixedClock,
    settings: Settings,
    db: Engine,
) -> None:
    client = _quiet_client(make_app, open_client)
    viewer = make_user(session, role=Role.viewer)  # of the same audience as the world's viewer
    version = client.app.state.live.watcher.current().version  # type: ignore[attr-defined]
    today = today_of(clock, settings)
    # The ETags the fast path reckons: for a known query it answers 304 without the route.
    etags = {
        query: collection_etag(HTTPConnection(_scope(client.app, query)), version, today, viewer)
        for query in ("status=blocked", "stauts=blocked")
    }

    with statements(db) as run:
        known = client.get(
            f"{TASKS}?status=blocked",
            headers={**world.headers, "If-None-Match": etags["status=blocked"]},
        )
    unknown = client.get(
        f"{TASKS}?stauts=blocked",
        headers={**world.headers, "If-None-Match": etags["stauts=blocked"]},
    )

    assert (known.status_code, run) == (304, [])
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "stauts"


def _scope(app: Any, query: str) -> dict[str, Any]:
    """A request's scope as the application hands it to the fast path (its language default
    is the app's setting)."""
    return {
        "type": "http",
        "app": app,
        "path": TASKS,
        "query_string": query.encode(),
        "headers": [],
    }


def _pollable_as_routed(app: FastAPI) -> list[str]:
    """The rule of `pollable`, applied to the routes as the app resolves them (with every
    dependency the inclusion adds), built here the slow way."""
    patterns = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or "GET" not in (route.methods or ()):
            continue
        calls = [dependency.call for dependency in _dependencies(route.dependant)]
        role_checked = any(
            getattr(call, "__qualname__", "").startswith(_ROLE_CHECK) for call in calls
        )
        if data_etag in calls and not role_checked and route.path:
            patterns.append(compile_path(route.path)[0].pattern)
    return patterns


def test_role_checked_collections_are_left_to_their_routes(app: FastAPI) -> None:
    routers = included_routers(app.state.settings.api_prefix)
    patterns = [route.pattern.pattern for route in pollable(routers)]

    assert "^/api/v1/summary$" in patterns
    assert "^/api/v1/tasks$" in patterns
    assert "^/api/v1/users$" not in patterns  # admin and coordinators only
    assert not any("events" in pattern for pattern in patterns)
    assert patterns == _pollable_as_routed(app)  # the routers as declared are what the app routes


def test_polls_are_counted_as_hits_and_misses(
    make_app: AppFactory, open_client: Opener, world: World
) -> None:
    client = _quiet_client(make_app, open_client)
    etag = client.get(SUMMARY, headers=world.headers).headers["etag"]
    hits, misses = _polls("hit"), _polls("miss")

    client.get(SUMMARY, headers={**world.headers, "If-None-Match": etag})
    client.get(SUMMARY, headers={**world.headers, "If-None-Match": '"stale"'})
    metrics = client.get("/metrics").text

    assert (_polls("hit") - hits, _polls("miss") - misses) == (1, 1)
    assert 'pantau_poll_total{outcome="hit"}' in metrics


def test_public_dashboard_summary_is_readable_and_pollable_without_token(
    make_app: AppFactory, open_client: Opener, world: World, db: Engine
) -> None:
    client = _quiet_client(make_app, open_client, public_dashboard=True)
    first = client.get(SUMMARY)

    with statements(db) as run:
        polled = client.get(SUMMARY, headers={"If-None-Match": first.headers["etag"]})

    assert first.status_code == 200
    assert first.json()["totals"]["tasks"] == 7
    assert (polled.status_code, run) == (304, [])


def test_public_dashboard_keeps_everything_else_private(
    make_app: AppFactory, open_client: Opener, world: World
) -> None:
    client = _quiet_client(make_app, open_client, public_dashboard=True)

    answers = [client.get(url).status_code for url in (TASKS, "/api/v1/changes", "/api/v1/plans")]
    forged = client.get(SUMMARY, headers=auth("pnt_forged"))

    assert answers == [401, 401, 401]
    assert forged.status_code == 401  # a token that is sent is checked, public or not


def test_public_page_serves_no_secrets(
    make_app: AppFactory, open_client: Opener, world: World
) -> None:
    client = _quiet_client(make_app, open_client, public_dashboard=True)

    served = [client.get(url) for url in ("/dashboard", "/static/dashboard.js", SUMMARY)]

    assert [response.status_code for response in served] == [200, 200, 200]
    assert all("pnt_" not in r.text and "@example" not in r.text for r in served)
    assert "default-src 'self'" in served[0].headers["content-security-policy"]
