"""`make run`'s two lines: a token and a sign-in link for the same admin, again and again."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.factories import auth
from tests.ops.server import environment, pantau, serve

pytestmark = pytest.mark.slow
ADMIN = ("token", "create", "--role", "admin", "--name", "Local admin")


def test_the_printed_link_and_token_are_the_same_admin_each_run(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    env = environment(database_url)
    email = ("--email", "admin@pantau.localhost")
    first = pantau(*ADMIN, *email, env=env, cwd=tmp_path).stdout.splitlines()[-1]
    second = pantau(*ADMIN, *email, env=env, cwd=tmp_path).stdout.splitlines()[-1]
    printed = pantau("sign-in", "link", "admin@pantau.localhost", env=env, cwd=tmp_path)
    link = printed.stdout.splitlines()[-1]

    with serve(database_url, tmp_path) as server:
        assert link.startswith("http://127.0.0.1:8000/sign-in/link?token=psl_")
        local = server.url + link.removeprefix("http://127.0.0.1:8000")
        with httpx.Client(headers={"Origin": server.url}) as browser:
            token = browser.get(local).text.split('name="token" value="')[1].split('"')[0]
            browser.post(f"{server.url}/sign-in/link", data={"token": token})
            by_session = browser.get(f"{server.url}/api/v1/users/me").json()
        by_tokens = [
            httpx.get(f"{server.url}/api/v1/users/me", headers=auth(t)).json()
            for t in (first, second)
        ]

    assert by_session["id"] == by_tokens[0]["id"] == by_tokens[1]["id"]
    assert by_session["role"] == "admin"


def test_no_link_for_an_unknown_address(database_url: str, db: Engine, tmp_path: Path) -> None:
    import subprocess

    with pytest.raises(subprocess.CalledProcessError) as refused:
        pantau(
            "sign-in", "link", "nobody@example.test", env=environment(database_url), cwd=tmp_path
        )

    assert "no active user" in refused.value.stderr
