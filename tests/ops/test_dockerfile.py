import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.databases import fresh_database
from tests.ops.server import BIN, environment, free_port, served

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _healthcheck() -> list[str]:
    """The HEALTHCHECK command of the Dockerfile, as the exec form it declares."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.MULTILINE)
    assert match, "no HEALTHCHECK in exec form"
    command: list[str] = json.loads(match.group(1))
    return command


def _check_health(port: int) -> int:
    command = _healthcheck()
    env = {**os.environ, "PORT": str(port)}
    run = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, capture_output=True)
    return run.returncode


def test_dockerfile_has_no_hadolint_findings() -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_dockerfile_copies_files_that_exist() -> None:
    sources = re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", DOCKERFILE.read_text(), re.MULTILINE)

    missing = [s for line in sources for s in line.split() if not (ROOT / s).exists()]

    assert sources
    assert missing == []


@pytest.mark.slow
def test_entrypoint_migrates_then_serves_and_the_healthcheck_sees_it(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    port = free_port()
    with fresh_database(kind, tmp_path, f"pantau_test_entrypoint_{os.getpid()}") as url:
        env = environment(url, HOST="127.0.0.1", PORT=str(port))
        env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
        command = [str(ROOT / "docker" / "entrypoint.sh")]
        with served(command, env, tmp_path, port) as server:
            ready = httpx.get(f"{server.url}/readyz")
            healthy = _check_health(port)
        unhealthy = _check_health(port)

    assert ready.status_code == 200
    assert (healthy, unhealthy) == (0, 1)
