from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.events import TASK_UPDATED
from app.models import Change, History, Role
from tests.conftest import NOW
from tests.factories import make_user
from tests.tasks.support import URL, create, fields, if_match, stored, world

UNKNOWN = "6f1c1f3e-0000-4000-8000-000000000000"


def _history(session: Session, task_id: object) -> list[History]:
    statement = select(History).where(col(History.entity_id) == UUID(str(task_id)))
    return list(session.exec(statement.order_by(col(History.id))).all())


def test_patch_task_changes_fields_and_records_each_in_history(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    task = create(client, w)
    clock.advance(timedelta(hours=1))
    body = {
        "title": "Rancangan pedoman 📘",
        "due_date": "2026-07-31",
        "due_date_reason": "menunggu anggaran",
        "priority": "critical",
        "owners": [{"organisation": w.ngo.code, "role": "lead"}],
        "note": "per rapat koordinasi",
    }

    response = client.patch(f"{URL}/{task['id']}", json=body, headers=if_match(w.headers, task))

    updated = response.json()
    rows = [(h.action, h.field, h.old, h.new, h.note) for h in _history(session, task["id"])[1:]]
    assert response.status_code == 200
    assert response.headers["etag"] == '"2-20260302"'
    assert (updated["version"], updated["updated_at"]) == (2, "2026-03-02T03:00:00Z")
    assert updated["owners"][0]["organisation"]["code"] == w.ngo.code
    assert sorted(rows) == sorted(
        [
            ("updated", "title", "Draft the reporting guideline", body["title"], body["note"]),
            ("updated", "due_date", "2026-06-30", "2026-07-31", body["note"]),
            ("updated", "due_date_reason", None, body["due_date_reason"], body["note"]),
            ("updated", "slips", 0, 1, body["note"]),
            ("updated", "priority", "medium", "critical", body["note"]),
            (
                "updated",
                "owners",
                [{"organisation": w.ministry.code, "role": "lead"}],
                [{"organisation": w.ngo.code, "role": "lead"}],
                body["note"],
            ),
        ]
    )


def test_patch_checks_its_body_once(client: TestClient, session: Session, db: Engine) -> None:
    """The PATCH's dependency checks the body before the precondition, and the route applies
    what it checked: each owner named is looked up once, not again by the write."""
    w = world(session)
    task = create(client, w)
    owners = [
        {"organisation": w.ngo.code, "role": "lead"},
        {"organisation": w.ministry.code, "role": "support"},
    ]
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]).lower())

    event.listen(db, "before_cursor_execute", record)
    try:
        response = client.patch(
            f"{URL}/{task['id']}", json={"owners": owners}, headers=if_match(w.headers, task)
        )
    finally:
        event.remove(db, "before_cursor_execute", record)

    assert response.status_code == 200, response.text
    assert len([statement for statement in seen if "upper(organisation.code)" in statement]) == 2


def test_patch_progress_resets_activity_and_writes_change_and_event(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    published: list[tuple[str, dict[str, Any]]],
) -> None:
    w = world(session)
    task = create(client, w)
    clock.advance(timedelta(days=2))

    response = client.patch(
        f"{URL}/{task['id']}", json={"progress": 40, "version": 1}, headers=w.headers
    )

    change = session.exec(select(Change).order_by(col(Change.seq).desc())).first()
    assert response.status_code == 200
    assert stored(session, task["id"]).activity_at == NOW + timedelta(days=2)
    assert change is not None
    assert (change.action, change.version) == ("updated", 2)
    assert change.data == response.json()
    assert [(kind, payload["fields"]) for kind, payload in published if kind == TASK_UPDATED] == [
        (TASK_UPDATED, ["progress"])
    ]


def test_patch_title_only_keeps_activity(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    task = create(client, w)
    clock.advance(timedelta(days=2))

    client.patch(f"{URL}/{task['id']}", json={"title": "New"}, headers=if_match(w.headers, task))

    assert stored(session, task["id"]).activity_at == NOW


def test_patch_that_changes_nothing_keeps_the_version(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = client.patch(
        f"{URL}/{task['id']}",
        json={
            "title": task["title"],
            "owners": [{"organisation": w.ministry.code, "role": "lead"}],
        },
        headers=if_match(w.headers, task),
    )

    assert response.json()["version"] == 1
    assert len(_history(session, task["id"])) == 1


def test_patch_can_clear_nullable_fields(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w, description="x", assignee_id=str(w.user.id))

    response = client.patch(
        f"{URL}/{task['id']}",
        json={
            "description": None,
            "due_date": None,
            "due_date_reason": "no deadline yet",
            "assignee_id": None,
        },
        headers=if_match(w.headers, task),
    )

    updated = response.json()
    assert (updated["description"], updated["due_date"], updated["assignee_id"]) == (
        None,
        None,
        None,
    )
    assert updated["schedule"] == "no_due_date"


def test_patch_without_precondition_is_428(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = client.patch(f"{URL}/{task['id']}", json={"title": "X"}, headers=w.headers)

    assert response.status_code == 428
    assert stored(session, task["id"]).title == task["title"]


@pytest.mark.parametrize(
    ("body", "headers"),
    [({"title": "X"}, {"If-Match": '"0"'}), ({"title": "X", "version": 7}, {})],
)
def test_patch_with_stale_precondition_is_412(
    client: TestClient, session: Session, body: dict[str, Any], headers: dict[str, str]
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.patch(f"{URL}/{task['id']}", json=body, headers={**w.headers, **headers})

    assert response.status_code == 412
    assert stored(session, task["id"]).title == task["title"]


def test_second_patch_with_the_same_etag_is_412(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)
    etag = client.get(f"{URL}/{task['id']}", headers=w.headers).headers["etag"]

    first = client.patch(
        f"{URL}/{task['id']}", json={"progress": 10}, headers={**w.headers, "If-Match": etag}
    )
    second = client.patch(
        f"{URL}/{task['id']}", json={"progress": 20}, headers={**w.headers, "If-Match": etag}
    )

    assert (first.status_code, second.status_code) == (200, 412)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "completed"}, "status"),
        ({"title": None}, "title"),
        ({"title": " "}, "title"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"priority": None}, "priority"),
        ({"owners": []}, "owners"),
        ({"due_date": "2027-02-30"}, "due_date"),
        ({"start_date": "2026-07-01"}, "start_date"),
        ({"assignee_id": UNKNOWN}, "assignee_id"),
        ({"owners": [{"organisation": "NOBODY", "role": "lead"}]}, "owners.0.organisation"),
        ({"commitment": "OTHER"}, "commitment"),
    ],
)
def test_patch_with_bad_field_is_422_and_changes_nothing(
    client: TestClient, session: Session, body: dict[str, Any], field: str
) -> None:
    w = world(session)
    task = create(client, w)

    response = client.patch(f"{URL}/{task['id']}", json=body, headers=if_match(w.headers, task))

    assert response.status_code == 422
    assert fields(response.json()) == [field]
    assert client.get(f"{URL}/{task['id']}", headers=w.headers).json() == task


def test_patch_status_points_to_transitions(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)

    response = client.patch(
        f"{URL}/{task['id']}", json={"status": "in_progress"}, headers=if_match(w.headers, task)
    )

    assert f"/tasks/{task['id']}/transitions" in response.json()["errors"][0]["message"]


def test_patch_unknown_task_is_404(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.patch(
        f"{URL}/{UNKNOWN}", json={"title": "X"}, headers={**w.headers, "If-Match": '"1"'}
    )

    assert response.status_code == 404


def test_assignee_can_be_set_to_an_existing_user(client: TestClient, session: Session) -> None:
    w = world(session)
    task = create(client, w)
    person = make_user(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{task['id']}",
        json={"assignee_id": str(person.id)},
        headers=if_match(w.headers, task),
    )

    assert response.json()["assignee_id"] == str(person.id)
