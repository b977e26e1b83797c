from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import History, Role, TaskOwner
from tests.exchange.support import (
    API,
    INDONESIAN,
    csv_file,
    data_version,
    history_of,
    new_row,
    post_import,
    post_xlsx,
    problem_rows,
    reloaded,
    tasks_by_title,
    world,
    xlsx_file,
)
from tests.factories import login, make_task, make_user


def test_import_creates_and_updates_tasks(client: TestClient, session: Session) -> None:
    w = world(session)
    sari = make_user(session, email="sari@example.test")
    task = make_task(session, commitment=w.commitment, title="Existing", lead=w.ministry)
    content = csv_file(
        {
            "id": "",
            "version": "",
            "commitment": w.commitment.code.lower(),
            "title": INDONESIAN,
            "description": "Baris satu\nbaris dua",
            "status": "",
            "progress": "",
            "priority": "high",
            "due_date": "2026-09-30",
            "due_date_reason": "",
            "lead_owner": w.ministry.code,
            "support_owners": f"{w.ngo.code}",
            "assignee_email": "SARI@example.test",
        },
        {
            "id": str(task.id),
            "version": "1",
            "commitment": w.commitment.code,
            "title": "Existing, renamed",
            "description": "",
            "status": "in_progress",
            "progress": "30",
            "priority": "",
            "due_date": "",
            "due_date_reason": "Waiting for the new budget",
            "lead_owner": w.ngo.code,
            "support_owners": w.ministry.code,
            "assignee_email": "",
        },
    )

    response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["created"], report["updated"], report["unchanged"]) == (
        False,
        1,
        1,
        0,
    )
    tasks = tasks_by_title(session)
    created, updated = tasks[INDONESIAN], tasks["Existing, renamed"]
    assert report["rows"] == [
        {"row": 2, "action": "created", "id": str(created.id)},
        {"row": 3, "action": "updated", "id": str(task.id)},
    ]
    assert (created.description, created.priority, created.due_date) == (
        "Baris satu\nbaris dua",
        "high",
        date(2026, 9, 30),
    )
    assert created.assignee_id == sari.id
    assert (updated.status, updated.progress, updated.due_date) == ("in_progress", 30, None)
    assert updated.version == 3  # one update, one transition
    owners = session.exec(select(TaskOwner).where(col(TaskOwner.task_id) == task.id)).all()
    assert {(o.organisation_id, o.role) for o in owners} == {
        (w.ngo.id, "lead"),
        (w.ministry.id, "support"),
    }


def test_import_records_history_and_the_change_feed(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    before = data_version(session)
    content = csv_file({"id": str(task.id), "version": "1", "progress": "50", "note": "Q1 data"})

    response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    history = history_of(session, task.id)
    assert [(h.field, h.old, h.new, h.note, h.actor_id) for h in history] == [
        ("progress", 0, 50, "Q1 data", w.user.id)
    ]
    assert data_version(session) == before + 1


def test_import_leaves_absent_columns_and_empty_required_cells_as_they_are(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, title="Keep me", progress=20, lead=w.ngo)
    content = csv_file({"id": str(task.id), "version": "1", "title": "", "progress": ""})

    response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["action"] == "unchanged"
    stored = tasks_by_title(session)["Keep me"]
    assert (stored.progress, stored.version, stored.due_date) == (20, 1, task.due_date)


def test_import_dry_run_reports_and_writes_nothing(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    untouched = make_task(session, commitment=w.commitment, title="Untouched", lead=w.ministry)
    before = data_version(session)
    content = csv_file(
        new_row(w, id="", version="", progress=""),
        new_row(w, id=str(task.id), version="1", title=task.title, progress="70"),
        new_row(w, id=str(untouched.id), version="1", title="Untouched", progress="0"),
    )

    response = post_import(client, w.headers, content, dry_run="true")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "dry_run": True,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "rows": [
            {"row": 2, "action": "created", "id": None},
            {"row": 3, "action": "updated", "id": str(task.id)},
            {"row": 4, "action": "unchanged", "id": str(untouched.id)},
        ],
    }
    assert len(tasks_by_title(session)) == 2
    assert reloaded(session, task.id).progress == 0
    assert data_version(session) == before
    assert session.exec(select(History)).all() == []


def test_import_with_one_bad_row_writes_no_row(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    content = csv_file(
        new_row(w, id="", version="", progress="10"),
        new_row(w, id=str(task.id), version="1", progress="60", due_date=task.due_date or ""),
        new_row(w, id="", version="", progress="150", due_date="2026-02-30"),
        new_row(w, id="", version="", progress="5"),
    )

    response = post_import(client, w.headers, content)

    assert problem_rows(response) == [(4, "due_date")]
    problem = response.json()
    assert problem["type"] == "urn:pantau:problem:validation"
    assert problem["detail"] == "1 row has errors, so nothing was imported: see errors."
    assert list(tasks_by_title(session)) == [task.title]
    assert reloaded(session, task.id).progress == 0


def test_import_of_a_header_alone_changes_nothing(client: TestClient, session: Session) -> None:
    w = world(session)

    response = post_import(client, w.headers, b"id,title,version\r\n\r\n,,\r\n")

    assert response.status_code == 200
    assert response.json()["rows"] == []


@pytest.mark.parametrize("role", [Role.contributor, Role.viewer])
def test_import_by_a_contributor_or_viewer_is_403(
    client: TestClient, session: Session, role: Role
) -> None:
    w = world(session)
    _user, headers = login(session, role=role, organisation=w.ministry)

    response = post_import(client, headers, csv_file(new_row(w)))

    assert response.status_code == 403
    assert tasks_by_title(session) == {}


def test_import_without_a_token_is_401(client: TestClient) -> None:
    response = client.post(f"{API}/imports", content=b"title\r\nx\r\n")

    assert response.status_code == 401


def test_import_xlsx_creates_tasks_with_date_and_number_cells(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = xlsx_file(
        ["commitment", "title", "lead_owner", "progress", "due_date"],
        [w.commitment.code, INDONESIAN, w.ministry.code, 25, date(2026, 7, 1)],
    )

    response = post_xlsx(client, w.headers, content)

    assert response.status_code == 200, response.text
    created = tasks_by_title(session)[INDONESIAN]
    assert (created.progress, created.due_date) == (25, date(2026, 7, 1))
