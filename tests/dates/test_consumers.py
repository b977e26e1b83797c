"""A task whose date lies outside the accepted range, written around the API (by SQL, or
before the range was enforced), is skipped by every shared function that reads it, logged
and counted in /metrics; every other task is served as before."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.models import Task
from tests.exchange.support import API, World, csv_records, world, xlsx_records
from tests.factories import make_task

EXTREMES = [date(1, 1, 1), date(2, 6, 1), date(9999, 12, 31)]


def _tasks(
    session: Session, w: World, bad_day: date, column: str = "due_date"
) -> tuple[Task, Task]:
    good = make_task(session, commitment=w.commitment, title="good", lead=w.ministry)
    bad = make_task(session, commitment=w.commitment, title="bad", lead=w.ministry)
    session.exec(update(Task).where(col(Task.id) == bad.id).values({column: bad_day}))
    session.commit()
    return good, bad


def _skipped(client: TestClient, function: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("pantau_bad_rows_total{") and f'function="{function}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.parametrize("bad_day", EXTREMES, ids=str)
def test_calendar_skips_a_task_due_out_of_range_and_counts_it(
    client: TestClient, session: Session, bad_day: date
) -> None:
    w = world(session)
    good, bad = _tasks(session, w, bad_day)
    before = _skipped(client, "calendar")

    response = client.get(f"{API}/calendar.ics", headers=w.headers)

    assert response.status_code == 200, response.text
    assert f"task-{good.id}@pantau" in response.text
    assert f"task-{bad.id}@pantau" not in response.text
    assert _skipped(client, "calendar") == before + 1


@pytest.mark.parametrize("bad_day", EXTREMES, ids=str)
@pytest.mark.parametrize("column", ["due_date", "start_date"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exports_write_a_day_out_of_range_as_text_and_count_it(
    client: TestClient, session: Session, bad_day: date, column: str, kind: str
) -> None:
    w = world(session)
    good, bad = _tasks(session, w, bad_day, column)
    before = _skipped(client, "export")

    response = client.get(f"{API}/tasks.{kind}", headers=w.headers)

    assert response.status_code == 200, response.text
    read = csv_records if kind == "csv" else xlsx_records
    by_id = {row["id"]: row for row in read(response.content)}
    assert by_id[str(bad.id)][column] == bad_day.isoformat()  # text, also in XLSX
    assert by_id[str(good.id)]["title"] == "good"
    assert _skipped(client, "export") == before + 1


@pytest.mark.parametrize("bad_day", EXTREMES, ids=str)
def test_summary_and_task_list_answer_beside_a_task_due_out_of_range(
    client: TestClient, session: Session, bad_day: date
) -> None:
    w = world(session)
    _tasks(session, w, bad_day)

    summary = client.get(f"{API}/summary", headers=w.headers)
    listing = client.get(f"{API}/tasks", headers=w.headers)

    assert summary.status_code == 200, summary.text
    assert listing.status_code == 200, listing.text
