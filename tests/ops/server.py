"""Real `pantau` processes for the tests: the installed command, on a free port of 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
PANTAU = str(BIN / "pantau")
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The caller's environment without its PANTAU_ settings, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    return {**env, "PANTAU_DATABASE_URL": database_url, **extra}


def pantau(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PANTAU, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> str:
        """Stop the server (SIGTERM, by pid) and return everything it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        return self.log.read_text()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            httpx.get(f"{url}/healthz", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)  # waiting for a process to bind its port, not for app time
    raise RuntimeError(f"the server did not start: {log.read_text()}")


@contextmanager
def served(command: list[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[Served]:
    """Run a server command until the block ends; its stdout and stderr go to one file."""
    log = cwd / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    server = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_up(server.url, process, log)
        yield server
    finally:
        server.stop()


def serve(database_url: str, cwd: Path, **env: str) -> AbstractContextManager[Served]:
    port = free_port()
    command = [PANTAU, "serve", "--port", str(port)]
    return served(command, environment(database_url, **env), cwd, port)
