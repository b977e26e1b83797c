"""Every door refuses a date or an instant outside 2000-01-01..2099-12-31 (app.dates), with a
422 naming the field, in English and Indonesian; the command line with a usage error."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from tests.exchange.support import API, csv_file, new_row, post_import, world
from tests.tasks.support import create, if_match, task_body

ENGLISH = "Must be between 2000-01-01 and 2099-12-31."
INDONESIAN = "Harus antara 2000-01-01 dan 2099-12-31."
DAYS = ["0001-01-01", "0002-06-01", "1999-12-31", "2100-01-01", "9999-12-31"]
# Its UTC form is in year 10000: Python cannot hold it.
OVERFLOWING = "9999-12-31T23:59:59-23:59"
INSTANTS = [OVERFLOWING, "0001-01-01T00:00:00+00:00", "2100-01-01T00:00:00Z"]


def _errors(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors: list[dict[str, str]] = response.json()["errors"]
    return errors


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("field", ["due_date", "start_date"])
def test_task_create_and_update_refuse_a_day_out_of_range(
    client: TestClient, session: Session, day: str, field: str
) -> None:
    w = world(session)
    task = create(client, w)

    created = client.post(f"{API}/tasks", json=task_body(w, **{field: day}), headers=w.headers)
    patched = client.patch(
        f"{API}/tasks/{task['id']}",
        json={field: day},
        headers={**if_match(w.headers, task), "Accept-Language": "id"},
    )

    assert _errors(created) == [{"field": field, "message": ENGLISH}]
    assert _errors(patched) == [{"field": field, "message": INDONESIAN}]


@pytest.mark.parametrize(
    ("name", "value"),
    [("due_before", "9999-12-31"), ("due_after", "0001-01-01")]
    + [("updated_after", instant) for instant in INSTANTS],
)
def test_task_filters_refuse_a_day_or_instant_out_of_range(
    client: TestClient, session: Session, name: str, value: str
) -> None:
    w = world(session)

    response = client.get(f"{API}/tasks", params={name: value}, headers=w.headers)

    assert _errors(response) == [{"field": name, "message": ENGLISH}]


@pytest.mark.parametrize("instant", INSTANTS)
def test_token_expiry_out_of_range_is_422(
    client: TestClient, session: Session, instant: str
) -> None:
    w = world(session)
    body = {"user_id": str(w.user.id), "name": "far", "expires_at": instant}

    response = client.post(f"{API}/tokens", json=body, headers=w.headers)

    assert _errors(response) == [{"field": "expires_at", "message": ENGLISH}]


def test_plan_period_out_of_range_is_422(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.patch(
        f"{API}/plans/{w.plan.code}",
        json={"period_end": "9999-12-31"},
        headers={**w.headers, "If-Match": f'"{w.plan.version}"'},
    )

    assert _errors(response) == [{"field": "period_end", "message": ENGLISH}]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_import_row_with_a_day_out_of_range_fails_in_both_languages(
    client: TestClient, session: Session, day: str
) -> None:
    w = world(session)
    content = csv_file(new_row(w, due_date=day))

    english = post_import(client, w.headers, content)
    indonesian = post_import(client, {**w.headers, "Accept-Language": "id"}, content)

    assert _errors(english) == [
        {
            "row": 2,
            "field": "due_date",
            "message": "A date between 2000-01-01 and 2099-12-31, please.",
        }
    ]
    assert _errors(indonesian)[0]["message"] == "Tanggal harus antara 2000-01-01 dan 2099-12-31."


@pytest.mark.parametrize("instant", [OVERFLOWING, "2100-01-01T09:00+07:00"])
def test_reminders_run_refuses_a_now_out_of_range(tmp_path: Path, instant: str) -> None:
    env = {"PANTAU_DATABASE_URL": f"sqlite:///{tmp_path}/unused.db", "COLUMNS": "300"}

    result = CliRunner().invoke(cli, ["reminders", "run", "--once", "--now", instant], env=env)

    assert result.exit_code == 2, result.output
    assert "between 2000-01-01 and 2099-12-31" in result.output
    assert not (tmp_path / "unused.db").exists()
