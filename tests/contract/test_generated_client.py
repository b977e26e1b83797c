"""A client generated from the live OpenAPI document (openapi-python-client, as a user of the
API would make one) works against a real server: typed answers, and typed problems too."""

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role
from tests.factories import login, make_task
from tests.ops.server import BIN, serve

pytestmark = pytest.mark.slow
PACKAGE = "pantau_client"


def _generate(document: bytes, directory: Path) -> None:
    (directory / "openapi.json").write_bytes(document)
    # literal_enums: the IANA zone names do not all make distinct Python enum members.
    config = f"package_name_override: {PACKAGE}\npost_hooks: []\nliteral_enums: true\n"
    (directory / "config.yaml").write_text(config)
    command = [
        str(BIN / "openapi-python-client"),
        "generate",
        "--path",
        "openapi.json",
        "--config",
        "config.yaml",
        "--meta",
        "none",
        "--output-path",
        PACKAGE,
    ]
    done = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout  # every operation and schema understood


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Path]:
    """Where the generated package goes; importable for the test, forgotten after it."""
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
        del sys.modules[name]


def _api(operation: str) -> Any:
    tag = operation.split("_", 1)[0]
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")


def _calls(client: Any, models: Any, task_id: str) -> tuple[Any, ...]:
    """A page of tasks, a task, an unknown task, a stale and a missing If-Match."""
    get, update = _api("tasks_get"), _api("tasks_update")
    return (
        _api("tasks_list").sync_detailed(client=client),
        get.sync_detailed(task_id=task_id, client=client),
        get.sync_detailed(task_id=str(uuid4()), client=client),
        update.sync_detailed(
            task_id=task_id, client=client, body=models.TaskUpdate(progress=10), if_match='"41"'
        ),
        update.sync_detailed(task_id=task_id, client=client, body=models.TaskUpdate(progress=10)),
    )


def test_generated_client_gets_typed_answers_and_problems(
    database_url: str, db: Engine, session: Session, generated: Path
) -> None:
    _, headers = login(session, role=Role.admin)
    task = make_task(session, title="Publish the guideline")
    token = headers["Authorization"].removeprefix("Bearer ")

    with serve(database_url, generated) as server:
        _generate(httpx.get(f"{server.url}/openapi.json").content, generated)
        models = importlib.import_module(f"{PACKAGE}.models")
        authenticated = importlib.import_module(PACKAGE).AuthenticatedClient
        with authenticated(base_url=server.url, token=token) as client:
            page, found, unknown, stale, unsent = _calls(client, models, str(task.id))

    assert page.status_code == 200
    assert [item.title for item in page.parsed.items] == ["Publish the guideline"]
    assert isinstance(found.parsed, models.TaskPublic)
    assert found.parsed.id == task.id
    assert found.headers["ETag"]
    for answer, status in ((unknown, 404), (stale, 412), (unsent, 428)):
        assert answer.status_code == status
        assert isinstance(answer.parsed, models.Problem), answer.content
        assert answer.parsed.status == status
        assert answer.parsed.type_.startswith("urn:pantau:problem:")
