import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app import migrate
from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from tests.databases import fresh_database
from tests.ops.server import free_port


def _kind(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def _client_for(database_url: str, clock: FixedClock) -> TestClient:
    settings = Settings(database_url=database_url, log_json=False, _env_file=None)
    return TestClient(create_app(settings, clock=clock))


def test_healthz_answers_without_a_token_or_a_database(clock: FixedClock) -> None:
    with _client_for("sqlite:////nonexistent/dir/pantau.db", clock) as client:
        response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_at_head(client: TestClient, database_url: str) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["revision"] == migrate.head_revision(database_url)


def test_readyz_is_503_when_the_schema_is_at_base(
    database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with fresh_database(_kind(database_url), tmp_path, f"pantau_test_base_{os.getpid()}") as url:
        migrate.upgrade(url)
        migrate.downgrade(url, "base")
        with _client_for(url, clock) as client:
            response = client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "pantau migrate" in response.json()["detail"]


def test_readyz_is_503_when_the_database_is_unreachable(
    database_url: str, clock: FixedClock
) -> None:
    unreachable = (
        "sqlite:////nonexistent/dir/pantau.db"
        if _kind(database_url) == "sqlite"
        else f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/pantau"
    )
    with _client_for(unreachable, clock) as client:
        response = client.get("/readyz", headers={"Accept-Language": "id"})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"].startswith("Basis data tidak dapat dihubungi")


def _requests_total(client: TestClient, route: str, status: str) -> float:
    wanted = {"method": "GET", "route": route, "status": status}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "pantau_http_requests_total" and sample.labels == wanted:
                return sample.value
    return 0.0


@pytest.mark.usefixtures("db")
def test_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    before = _requests_total(client, "/healthz", "200")
    unauthorised = _requests_total(client, "/organisations", "401")

    client.get("/healthz")
    client.get("/healthz")
    client.get("/api/v1/organisations")

    assert _requests_total(client, "/healthz", "200") == before + 2
    assert _requests_total(client, "/organisations", "401") == unauthorised + 1
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")
