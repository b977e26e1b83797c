"""Real `pantau serve` processes on one database: what one replica commits, the others notice."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from app.models import Role
from tests.dashboard import sse
from tests.dashboard.conftest import World
from tests.factories import login

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "/api/v1/summary"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def replica(database_url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m app serve` on a free port, stopped with SIGTERM afterwards."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")},
        "PANTAU_DATABASE_URL": database_url,
        "PANTAU_LOG_JSON": "false",
        "PANTAU_LOG_LEVEL": "WARNING",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log)
            yield url, process
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"pantau serve did not start:\n{log.read_text()}")


def _poll_until_changed(url: str, headers: dict[str, str], etag: str) -> float:
    """Seconds until a poll with `etag` is answered 200 instead of 304."""
    started = time.monotonic()
    with httpx.Client(base_url=url, headers={**headers, "If-None-Match": etag}) as http:
        while time.monotonic() - started < 5:
            status = http.get(SUMMARY).status_code
            if status == 200:
                return time.monotonic() - started
            assert status == 304
    raise AssertionError("replica B kept answering 304")


def test_write_through_one_replica_ends_304s_on_another_within_a_second(
    world: World, session: Session, database_url: str, tmp_path: Path
) -> None:
    _, admin = login(session, role=Role.admin)
    with (
        replica(database_url, tmp_path / "a.log") as (a, _),
        replica(database_url, tmp_path / "b.log") as (b, _),
    ):
        etag = httpx.get(b + SUMMARY, headers=world.headers).headers["etag"]
        hit = httpx.get(b + SUMMARY, headers={**world.headers, "If-None-Match": etag})
        written = httpx.post(
            a + "/api/v1/organisations",
            json={"code": "ECPAT", "name_en": "ECPAT", "name_id": "ECPAT", "kind": "ngo"},
            headers=admin,
        )
        elapsed = _poll_until_changed(b, world.headers, etag)
        metrics = httpx.get(b + "/metrics").text

    assert hit.status_code == 304
    assert written.status_code == 201
    assert elapsed < 1.0
    assert 'pantau_poll_total{outcome="hit"}' in metrics


def test_answer_kept_by_one_replica_gives_way_to_a_write_through_another_within_a_second(
    world: World, session: Session, database_url: str, tmp_path: Path
) -> None:
    _, admin = login(session, role=Role.admin)
    organisations = "/api/v1/organisations"
    with (
        replica(database_url, tmp_path / "a.log") as (a, _),
        replica(database_url, tmp_path / "b.log") as (b, _),
        httpx.Client(base_url=b, headers=world.headers) as http,
    ):
        served = _serve_a_kept_answer(b, http, organisations)
        written = httpx.post(
            a + organisations,
            json={"code": "PLAN-ID", "name_en": "Plan", "name_id": "Plan", "kind": "ngo"},
            headers=admin,
        )
        started = time.monotonic()
        while "PLAN-ID" not in http.get(organisations).text:
            assert time.monotonic() - started < 5, "replica B kept the older answer"
        elapsed = time.monotonic() - started

    assert written.status_code == 201
    assert served >= 1
    assert elapsed < 1.0


def _serve_a_kept_answer(url: str, http: httpx.Client, path: str) -> float:
    """GET `path` until the replica serves an answer it kept (its snapshot may be refreshing
    when the first GET comes, a loaded machine's timing); the kept answers it served."""
    started = time.monotonic()
    while True:
        http.get(path)
        served = _kept_answers_served(httpx.get(url + "/metrics").text)
        if served >= 1:
            return served
        assert time.monotonic() - started < 5, "replica B kept no answer"


def _kept_answers_served(metrics: str) -> float:
    line = next(
        line
        for line in metrics.splitlines()
        if line.startswith('pantau_poll_cache_total{outcome="hit"}')
    )
    return float(line.split()[-1])


def test_client_of_one_replica_receives_a_change_written_through_another(
    world: World, session: Session, database_url: str, tmp_path: Path
) -> None:
    _, admin = login(session, role=Role.admin)
    with (
        replica(database_url, tmp_path / "a.log") as (a, _),
        replica(database_url, tmp_path / "b.log") as (b, _),
        httpx.Client(base_url=b, headers=world.headers, timeout=10) as http,
        http.stream("GET", "/api/v1/events") as response,
    ):
        reader = sse.Reader(response)
        reader.block()
        httpx.post(
            a + "/api/v1/organisations",
            json={"code": "UNICEF-ID", "name_en": "UNICEF", "name_id": "UNICEF", "kind": "un_body"},
            headers=admin,
        )
        events = reader.changes(1)

    assert events[0]["entity"] == "organisation"
    assert events[0]["data"]["code"] == "UNICEF-ID"


def test_shutdown_ends_open_event_streams_cleanly(
    world: World, database_url: str, tmp_path: Path
) -> None:
    with (
        replica(database_url, tmp_path / "a.log") as (a, process),
        httpx.Client(base_url=a, headers=world.headers, timeout=10) as http,
        http.stream("GET", "/api/v1/events") as response,
    ):
        reader = sse.Reader(response)
        reader.block()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        rest = reader.rest()
        code = process.wait(timeout=10)
        elapsed = time.monotonic() - started

    assert rest == []
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (as it documents)
    assert code in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in (tmp_path / "a.log").read_text()
    assert elapsed < 5
