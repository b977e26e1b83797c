"""An import writes as its coordinator would through the API: only in the plans it
coordinates, and with progress following status (issue 11, holes 3 and 6)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import TaskStatus
from tests.exchange.support import csv_file, new_row, post_import, problem_rows, reloaded, world
from tests.factories import make_commitment, make_plan, make_task


def test_import_into_a_plan_the_coordinator_does_not_coordinate_is_a_row_error(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    foreign = make_commitment(session, plan=make_plan(session))
    task = make_task(session, commitment=foreign, lead=w.ministry)
    content = csv_file(
        {**new_row(w, commitment=foreign.code), "id": "", "version": ""},
        {"id": str(task.id), "version": "1", "title": "Hijacked"},
    )

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [(2, "id"), (3, "id")]
    assert reloaded(session, task.id).title == task.title


def test_import_completing_with_progress_100_and_reopening_with_a_figure(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    open_task = make_task(
        session, commitment=w.commitment, status=TaskStatus.in_progress, progress=60, lead=w.ngo
    )
    done = make_task(
        session, commitment=w.commitment, status=TaskStatus.completed, progress=100, lead=w.ngo
    )
    content = csv_file(
        {"id": str(open_task.id), "version": "1", "status": "completed", "progress": "100"},
        {
            "id": str(done.id),
            "version": "1",
            "status": "in_progress",
            "progress": "40",
            "note": "Perlu revisi",
        },
    )

    response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    assert (reloaded(session, open_task.id).status, reloaded(session, open_task.id).progress) == (
        TaskStatus.completed,
        100,
    )
    assert (reloaded(session, done.id).status, reloaded(session, done.id).progress) == (
        TaskStatus.in_progress,
        40,
    )
