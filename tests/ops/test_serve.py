import contextlib
import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.ops.server import PANTAU, environment, free_port, serve, served

pytestmark = pytest.mark.slow


def _chunked_post(url: str, path: str, size: int) -> int:
    """POST a chunked body and return the status; the server may answer before it is all sent
    and close, so a failed send is expected and the answer is read all the same."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n"
        connection.sendall(head.encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(size // 1000):
                connection.sendall(b"3e8\r\n" + b"x" * 1000 + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        status_line = connection.makefile("rb").readline()
    return int(status_line.split()[1])


def _lines(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines() if line.strip()]


def test_served_app_logs_one_json_line_per_request(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    with serve(database_url, tmp_path, PANTAU_MAX_BODY_BYTES="4096") as server:
        httpx.get(f"{server.url}/api/v1/organisations?limit=5")
        too_large = _chunked_post(server.url, "/api/v1/organisations", 10_000)
        log = server.stop()

    entries = _lines(log)  # every line, uvicorn's included, is JSON
    access = [e for e in entries if e["logger"] == "pantau.access"]
    listed = [e for e in access if e["path"] == "/api/v1/organisations" and e["method"] == "GET"]
    refused = [e for e in access if e["method"] == "POST"]
    assert too_large == 413
    assert len(listed) == 1
    assert listed[0]["status"] == 401
    assert isinstance(listed[0]["duration_ms"], float)
    assert [e["status"] for e in refused] == [413]
    assert {"time", "level", "method", "path", "status", "duration_ms"} <= set(listed[0])


def test_served_app_exposes_request_counters(database_url: str, db: Engine, tmp_path: Path) -> None:
    with serve(database_url, tmp_path) as server:
        httpx.get(f"{server.url}/api/v1/organisations")
        metrics = httpx.get(f"{server.url}/metrics").text

    assert (
        'pantau_http_requests_total{method="GET",route="/organisations",status="401"} 1.0'
        in metrics
    )
    assert "pantau_http_request_seconds_bucket" in metrics


def test_metrics_of_several_workers_are_added_up(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    # Without the reminder worker, which would count its passes in a file of the parent's own.
    command = [PANTAU, "serve", "--port", str(port), "--workers", "2", "--no-reminders"]
    env = environment(database_url, PROMETHEUS_MULTIPROC_DIR=str(shared))
    asked = 60
    with served(command, env, tmp_path, port) as server:
        for _ in range(asked):  # a connection each: the kernel spreads them over both workers
            assert httpx.get(f"{server.url}/api/v1/organisations").status_code == 401
        scrapes = [httpx.get(f"{server.url}/metrics").text for _ in range(8)]
        writers = {path.name for path in shared.glob("counter_*.db")}

    assert len(writers) == 2, writers  # both workers answered, and the stale file went
    for scrape in scrapes:
        line = 'pantau_http_requests_total{method="GET",route="/organisations",status="401"}'
        assert f"{line} {asked}.0" in scrape
