"""Real uvicorn processes: a claim whose process was killed is taken over within seconds; a
claim whose process lives is never run twice, however old it is."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.idempotency.slowapp import SLOW
from tests.ops.server import Served, environment, free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
FACTORY = "tests.idempotency.slowapp:create"
HEADERS = {"Authorization": "Bearer pnt_not-checked-by-this-route", "Idempotency-Key": "k-1"}


class Gate:
    """A TCP server that holds every connection until opened; it counts them (runs)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.runs = 0
        self.opened = threading.Event()
        self.arrived = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self.arrived:
                self.runs += 1
                self.arrived.notify_all()
            threading.Thread(target=self._release, args=(connection,), daemon=True).start()

    def _release(self, connection: socket.socket) -> None:
        self.opened.wait()
        with connection:
            connection.sendall(b"x")

    def wait_for(self, runs: int, timeout: float = 15.0) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.runs >= runs, timeout), "no run arrived"

    def close(self) -> None:
        self.opened.set()
        self.listener.close()


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.close()


@contextmanager
def _replicas(
    database_url: str, gate: Gate, cwd: Path, **settings: str
) -> Iterator[tuple[Served, Served]]:
    """Two replicas on one database, started side by side (an import takes seconds here)."""
    env = environment(database_url, TEST_GATE_PORT=str(gate.port), **settings)
    env["PYTHONPATH"] = str(ROOT)
    started: list[Served] = []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "--factory", FACTORY]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            log = cwd / f"server-{port}.log"
            with log.open("wb") as sink:
                process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
            started.append(Served(f"http://127.0.0.1:{port}", process, log))
        for server in started:
            wait_until_up(server.url, server.process, server.log)
        yield started[0], started[1]
    finally:
        gate.opened.set()  # a request still at the gate would hold a graceful stop
        for server in started:
            try:
                server.stop()
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _send_in_background(url: str) -> threading.Thread:
    def send() -> None:
        with suppress(httpx.TransportError):  # the process answering it was killed
            httpx.post(url + SLOW, headers=HEADERS, timeout=60)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def _retry_until_answered(url: str, deadline_seconds: float) -> tuple[httpx.Response, float]:
    """Retry as a client does, obeying Retry-After; the answer and the seconds it took."""
    started = time.monotonic()
    while True:
        response = httpx.post(url + SLOW, headers=HEADERS, timeout=30)
        elapsed = time.monotonic() - started
        if response.status_code != 409 or elapsed > deadline_seconds:
            return response, elapsed
        time.sleep(float(response.headers["retry-after"]))  # the client's wait, as told


def test_claim_of_a_killed_process_is_taken_over_within_seconds(
    database_url: str, db: Engine, gate: Gate, tmp_path: Path
) -> None:
    with _replicas(database_url, gate, tmp_path) as (first, second):
        _send_in_background(first.url)
        gate.wait_for(1)  # the first attempt is running: its claim is committed

        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        gate.opened.set()
        retry, seconds = _retry_until_answered(second.url, deadline_seconds=10)

    assert (retry.status_code, retry.json()) == (201, {"ran": "yes"})
    assert seconds < 3, f"the retry waited {seconds:.1f} s"
    assert gate.runs == 2


def test_claim_of_a_live_slow_process_is_never_run_twice(
    database_url: str, db: Engine, gate: Gate, tmp_path: Path
) -> None:
    # A claim timeout of a millisecond: judged by age, every claim would be stale at once.
    fast = {"PANTAU_IDEMPOTENCY_CLAIM_SECONDS": "0.001"}
    with _replicas(database_url, gate, tmp_path, **fast) as (first, second):
        running = _send_in_background(first.url)
        gate.wait_for(1)

        # A repeat that ran would block on the closed gate: the timeout fails the test then.
        repeats = [
            httpx.post(u + SLOW, headers=HEADERS, timeout=5) for u in (second.url, first.url)
        ]
        gate.opened.set()
        running.join(timeout=30)
        replayed = httpx.post(second.url + SLOW, headers=HEADERS)

    assert [r.status_code for r in repeats] == [409, 409]
    assert all(r.headers["retry-after"] == "1" for r in repeats)
    assert (replayed.status_code, replayed.headers["idempotent-replayed"]) == (201, "true")
    assert gate.runs == 1
