import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from app.models import User
from tests.factories import auth
from tests.ops.server import environment, pantau, serve

pytestmark = pytest.mark.slow


def test_token_create_prints_a_token_that_works_against_the_served_app(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    env = environment(database_url)

    created = pantau(
        "token", "create", "--role", "coordinator", "--name", "Sari", env=env, cwd=tmp_path
    )
    token = created.stdout.strip().splitlines()[-1]
    with serve(database_url, tmp_path) as server:
        me = httpx.get(f"{server.url}/api/v1/users/me", headers=auth(token))
        wrong = httpx.get(f"{server.url}/api/v1/users/me", headers=auth(token + "x"))

    assert token.startswith("pnt_")
    assert " " not in token
    assert me.status_code == 200
    assert (me.json()["name"], me.json()["role"]) == ("Sari", "coordinator")
    assert wrong.status_code == 401


def test_token_create_for_a_contributor_without_organisation_fails_clearly(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    env = environment(database_url)

    with pytest.raises(subprocess.CalledProcessError) as refused:
        pantau("token", "create", "--role", "contributor", "--name", "Dewi", env=env, cwd=tmp_path)

    assert refused.value.returncode == 1
    assert refused.value.stderr.strip() == (
        "token not created: organisation_id: A contributor needs an organisation."
    )
    with db.connect() as connection:
        assert connection.execute(select(User)).all() == []
