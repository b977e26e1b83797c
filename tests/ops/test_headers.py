"""Security headers on every answer, and CORS only for the origins an operator names."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Role
from tests.factories import login

ORIGIN = "https://dashboard.example.org"
Opener = Callable[..., TestClient]


@pytest.fixture
def open_app(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[Opener]:
    opened: list[TestClient] = []

    def open_one(**changes: object) -> TestClient:
        app = create_app(settings.model_copy(update=changes), clock=clock, engine=db)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)


def test_every_kind_of_answer_carries_the_security_headers(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)
    tasks = client.get("/api/v1/tasks", headers=headers)
    answers = {
        "json": tasks,
        "304": client.get(
            "/api/v1/tasks", headers={**headers, "If-None-Match": tasks.headers["etag"]}
        ),
        "401": client.get("/api/v1/tasks"),
        "404": client.get("/nowhere"),
        "422": client.get("/api/v1/tasks?stauts=x", headers=headers),
        "health": client.get("/healthz"),
        "metrics": client.get("/metrics"),
        "html": client.get("/sign-in"),
        "docs": client.get("/docs"),
    }

    for name, response in answers.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("x-frame-options") == "DENY", name
        assert response.headers.get("referrer-policy"), name
        assert "strict-transport-security" not in response.headers, name
        assert "access-control-allow-origin" not in response.headers, name
    for name in ("html", "docs"):
        policy = answers[name].headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy


def test_https_public_url_adds_hsts(open_app: Opener) -> None:
    client = open_app(public_url="https://pantau.example.go.id")

    assert client.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"


def test_no_cors_without_configured_origins(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    simple = client.get("/api/v1/tasks", headers={**headers, "Origin": ORIGIN})
    preflight = client.options(
        "/api/v1/tasks",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )

    assert simple.status_code == 200
    assert not any(name.startswith("access-control-") for name in simple.headers)
    assert not any(name.startswith("access-control-") for name in preflight.headers)


def test_cors_for_a_configured_origin_only(open_app: Opener, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)
    client = open_app(cors_origins=[ORIGIN])
    request = {
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "if-match",
    }

    allowed = client.options("/api/v1/tasks", headers={"Origin": ORIGIN, **request})
    other = client.options("/api/v1/tasks", headers={"Origin": "https://evil.example", **request})
    read = client.get("/api/v1/tasks", headers={**headers, "Origin": ORIGIN})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "if-match" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert read.headers["access-control-allow-origin"] == ORIGIN
    assert "etag" in read.headers["access-control-expose-headers"].lower()


def test_cors_origins_setting_reads_a_comma_separated_list() -> None:
    parsed = Settings(cors_origins=f"{ORIGIN}/, http://localhost:3000", _env_file=None)

    assert parsed.cors_origins == [ORIGIN, "http://localhost:3000"]
