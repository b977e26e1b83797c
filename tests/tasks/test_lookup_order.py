"""The task routes look up the task of the path, and the caller's right to write to it, before
they read the body: an unknown task is 404 whatever the body says, another organisation's task
is 403 before a malformed body is 422, and both before a precondition (428, 412). Unlike the
catalogue routes (tests/plans/test_lookup_order.py), which read the body first; a route whose
role check is not part of its lookup (DELETE) declares the role first."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import login
from tests.tasks.support import URL, create, world

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers collect alike


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status"),
    [
        ("GET", UNKNOWN_ID, None, None, 401),
        ("PATCH", UNKNOWN_ID, None, {"progress": "x"}, 401),
        ("PATCH", UNKNOWN_ID, Role.viewer, {"progress": "x"}, 403),
        ("DELETE", UNKNOWN_ID, Role.contributor, None, 403),
        ("POST", f"{UNKNOWN_ID}/transitions", Role.viewer, {"status": 5}, 403),
        ("POST", f"{UNKNOWN_ID}/notes", Role.viewer, {"text": None}, 403),
        ("PATCH", UNKNOWN_ID, Role.admin, {"progress": "x"}, 404),
        ("PATCH", "not-a-uuid", Role.admin, {"title": None}, 404),
        ("PATCH", UNKNOWN_ID, Role.admin, {"status": "completed"}, 404),
        ("DELETE", UNKNOWN_ID, Role.admin, None, 404),
        ("POST", f"{UNKNOWN_ID}/transitions", Role.admin, {"status": 5}, 404),
        ("POST", f"{UNKNOWN_ID}/notes", Role.admin, {"text": None}, 404),
    ],
)
def test_unknown_task_is_404_before_the_body_is_read(
    client: TestClient,
    session: Session,
    method: str,
    path: str,
    role: Role | None,
    body: dict[str, object] | None,
    status: int,
) -> None:
    headers = login(session, role=role)[1] if role else {}

    response = client.request(method, f"{URL}/{path}", json=body, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"progress": "x"}),
        ("POST", "/transitions", {"status": 5}),
        ("POST", "/notes", {"text": None}),
    ],
)
def test_another_organisations_task_is_403_before_a_malformed_body(
    client: TestClient, session: Session, method: str, suffix: str, body: dict[str, object]
) -> None:
    w = world(session)
    task = create(client, w)
    _, headers = login(session, role=Role.contributor, organisation=w.ngo)

    response = client.request(method, f"{URL}/{task['id']}{suffix}", json=body, headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "if_match", "status"),
    [
        ({"progress": "x"}, None, 422),  # the body before the precondition
        ({"status": "completed"}, None, 422),  # status goes through transitions
        ({"progress": 10}, None, 428),
        ({"progress": 10}, '"99"', 412),
        # a change no version makes valid, whatever version it names: 422, not 412
        ({"due_date": "2026-09-30"}, '"99"', 422),  # a move without its reason
        ({"start_date": "2026-07-01"}, '"99"', 422),  # a start after the due date
        ({"assignee_id": "00000000-0000-4000-8000-000000000001"}, '"99"', 422),
        ({"owners": [{"organisation": "NO-SUCH", "role": "lead"}]}, '"99"', 422),
    ],
)
def test_a_patch_checks_its_body_before_its_precondition(
    client: TestClient,
    session: Session,
    body: dict[str, object],
    if_match: str | None,
    status: int,
) -> None:
    w = world(session)
    task = create(client, w)
    headers = {**w.headers, **({"If-Match": if_match} if if_match else {})}

    response = client.patch(f"{URL}/{task['id']}", json=body, headers=headers)

    assert response.status_code == status


def test_a_contributor_naming_a_coordinators_field_is_403_before_the_precondition(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = create(client, w)
    _, headers = login(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(f"{URL}/{task['id']}", json={"title": "X"}, headers=headers)

    assert response.status_code == 403
