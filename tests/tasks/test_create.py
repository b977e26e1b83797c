from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.models import Change, History, OwnerRole, Role, Task, TaskOwner
from tests.conftest import NOW
from tests.factories import login, make_user
from tests.tasks.support import URL, create, fields, stored, task_body, world

PUBLIC_KEYS = {
    "id",
    "commitment",
    "plan",
    "pillar",
    "title",
    "description",
    "status",
    "progress",
    "start_date",
    "due_date",
    "slips",
    "priority",
    "owners",
    "assignee_id",
    "reminder_policy",
    "schedule",
    "version",
    "created_at",
    "updated_at",
}


def _count(session: Session, model: Any) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_create_task_answers_201_with_etag_location_and_public_shape(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    assignee = make_user(session, role=Role.contributor, organisation=w.ministry)
    body = task_body(
        w,
        description="Pedoman pelaporan",
        start_date="2026-03-01",
        priority="high",
        progress=10,
        owners=[
            {"organisation": w.ngo.code, "role": "support"},
            {"organisation": w.ministry.code, "role": "lead"},
        ],
        assignee_id=str(assignee.id),
    )

    response = client.post(URL, json=body, headers=w.headers)

    created = response.json()
    assert response.status_code == 201
    assert set(created) == PUBLIC_KEYS
    assert response.headers["etag"] == '"1-20260302"'
    assert response.headers["location"].endswith(f"{URL}/{created['id']}")
    assert created["commitment"] == {
        "id": str(w.commitment.id),
        "code": w.commitment.code,
        "title_en": w.commitment.title_en,
        "title_id": w.commitment.title_id,
    }
    assert created["plan"] == {"id": str(w.plan.id), "code": w.plan.code}
    assert created["pillar"] == {"id": str(w.pillar.id), "code": w.pillar.code}
    assert [(o["organisation"]["code"], o["role"]) for o in created["owners"]] == [
        (w.ministry.code, "lead"),
        (w.ngo.code, "support"),
    ]
    assert (created["status"], created["progress"], created["priority"]) == (
        "not_started",
        10,
        "high",
    )
    assert (created["schedule"], created["version"]) == ("on_track", 1)
    assert created["created_at"] == created["updated_at"] == "2026-03-02T02:00:00Z"


def test_create_task_records_history_change_and_activity(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    created = create(client, w)

    task = stored(session, created["id"])
    history = session.exec(select(History).where(col(History.entity_id) == task.id)).all()
    change = session.exec(select(Change).where(col(Change.entity_id) == task.id)).one()
    assert task.activity_at == NOW
    assert [(h.action, h.actor_id) for h in history] == [("created", w.user.id)]
    assert (change.action, change.version, change.data) == ("created", 1, created)


def test_create_task_finds_commitment_by_id_and_owner_by_alias(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    _, admin = login(session, role=Role.admin)  # only an admin renames an organisation
    renamed = client.patch(
        f"/api/v1/organisations/{w.ministry.code}",
        json={"aliases": ["Kominfo"]},
        headers={**admin, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200, renamed.text

    created = create(
        client,
        w,
        commitment=str(w.commitment.id),
        owners=[{"organisation": "kominfo", "role": "lead"}],
    )

    assert created["commitment"]["code"] == w.commitment.code
    assert created["owners"][0]["organisation"]["id"] == str(w.ministry.id)


def test_create_task_stores_sql_like_indonesian_and_emoji_text_intact(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    title = "'; DROP TABLE task; --"
    description = "Sosialisasi pelindungan anak di ranah daring 🛡️👧 — tahap ke-2"

    created = create(client, w, title=title, description=description)
    read = client.get(f"{URL}/{created['id']}", headers=w.headers).json()

    assert (read["title"], read["description"]) == (title, description)
    assert _count(session, Task) == 1


@pytest.mark.parametrize("role", [Role.viewer, Role.contributor])
def test_create_task_by_non_coordinator_is_403(
    client: TestClient, session: Session, role: Role
) -> None:
    w = world(session)
    _, headers = login(session, role=role, organisation=w.ministry)

    response = client.post(URL, json=task_body(w), headers=headers)

    assert response.status_code == 403
    assert _count(session, Task) == 0


def test_create_task_without_token_is_401(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.post(URL, json=task_body(w))

    assert response.status_code == 401


def test_create_task_with_malformed_json_is_400_problem(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    response = client.post(
        URL,
        content=b'{"title": "x",',
        headers={**w.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:pantau:problem:malformed-json"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": 42}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "50"}, "progress"),
        ({"progress": True}, "progress"),
        ({"priority": "urgent"}, "priority"),
        ({"due_date": "2027-02-30"}, "due_date"),
        ({"start_date": "next week"}, "start_date"),
        ({"owners": []}, "owners"),
        ({"owners": "KPPPA"}, "owners"),
        ({"owners": [{"organisation": "X", "role": "boss"}]}, "owners.0.role"),
        ({"assignee_id": "not-a-uuid"}, "assignee_id"),
        ({"status": "completed"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_task_with_bad_field_is_422_naming_it(
    client: TestClient, session: Session, changes: dict[str, Any], field: str
) -> None:
    w = world(session)

    response = client.post(URL, json=task_body(w, **changes), headers=w.headers)

    assert response.status_code == 422
    assert field in fields(response.json())
    assert _count(session, Task) == 0


def test_create_task_without_title_or_commitment_is_422(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    body = task_body(w)
    del body["title"], body["commitment"]

    response = client.post(URL, json=body, headers=w.headers)

    assert response.status_code == 422
    assert set(fields(response.json())) == {"title", "commitment"}


def test_create_task_with_array_body_is_422(client: TestClient, session: Session) -> None:
    w = world(session)

    response = client.post(URL, json=[task_body(w)], headers=w.headers)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"commitment": "NO-SUCH-CODE"}, "commitment"),
        ({"commitment": "6f1c1f3e-0000-4000-8000-000000000000"}, "commitment"),
        ({"owners": [{"organisation": "NOBODY", "role": "lead"}]}, "owners.0.organisation"),
        ({"assignee_id": "6f1c1f3e-0000-4000-8000-000000000000"}, "assignee_id"),
        ({"start_date": "2026-07-01", "due_date": "2026-06-30"}, "start_date"),
    ],
)
def test_create_task_with_unknown_reference_is_422_and_writes_nothing(
    client: TestClient, session: Session, changes: dict[str, Any], field: str
) -> None:
    w = world(session)

    response = client.post(URL, json=task_body(w, **changes), headers=w.headers)

    assert response.status_code == 422
    assert fields(response.json()) == [field]
    assert (_count(session, Task), _count(session, History), _count(session, Change)) == (0, 0, 0)


def test_create_task_with_two_leads_is_422(client: TestClient, session: Session) -> None:
    w = world(session)
    owners = [
        {"organisation": w.ministry.code, "role": "lead"},
        {"organisation": w.ngo.code, "role": "lead"},
    ]

    response = client.post(URL, json=task_body(w, owners=owners), headers=w.headers)

    assert response.status_code == 422
    assert fields(response.json()) == ["owners"]


def test_create_task_with_an_owner_twice_is_422(client: TestClient, session: Session) -> None:
    w = world(session)
    owners = [
        {"organisation": w.ministry.code, "role": "lead"},
        {"organisation": str(w.ministry.id), "role": "support"},
    ]

    response = client.post(URL, json=task_body(w, owners=owners), headers=w.headers)

    assert response.status_code == 422
    assert fields(response.json()) == ["owners.1.organisation"]


def test_create_task_answers_in_indonesian_when_asked(client: TestClient, session: Session) -> None:
    w = world(session)
    body = task_body(w, owners=[{"organisation": "NOBODY", "role": "lead"}])

    response = client.post(URL, json=body, headers={**w.headers, "Accept-Language": "id"})

    assert response.json()["errors"][0]["message"] == (
        "Tidak ada organisasi dengan id, kode, atau alias ini."
    )


def test_create_task_with_support_owners_only_has_no_lead(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    created = create(client, w, owners=[{"organisation": w.ngo.code, "role": "support"}])

    owners = session.exec(
        select(TaskOwner).where(col(TaskOwner.task_id) == UUID(created["id"]))
    ).all()
    assert [o.role for o in owners] == [OwnerRole.support]
