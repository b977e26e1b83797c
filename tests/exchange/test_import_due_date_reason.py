"""An import that moves a due date needs the row's due_date_reason, as the API does; the slip
shows in the export's `slips` column."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.exchange.support import API, csv_file, csv_records, post_import, problem_rows, world
from tests.tasks.support import create


def test_import_moving_a_due_date_needs_its_reason_and_counts_the_slip(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)
    row = {"id": task["id"], "version": task["version"], "due_date": "2026-09-30"}

    refused = post_import(client, w.headers, csv_file(row))
    done = post_import(client, w.headers, csv_file({**row, "due_date_reason": "Budget late"}))
    exported = csv_records(client.get(f"{API}/tasks.csv", headers=w.headers).content)

    assert problem_rows(refused) == [(2, "due_date_reason")]
    assert done.status_code == 200, done.text
    assert done.json()["updated"] == 1
    assert [(r["due_date"], r["slips"]) for r in exported] == [("2026-09-30", "1")]
