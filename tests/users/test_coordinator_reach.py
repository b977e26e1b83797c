"""Naming an organisation as a task's owner gives a coordinator no hold on that organisation's
people; an address is moved only by its owner or an admin (issue 11, hole 3)."""

from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, User
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_plan,
    make_task,
    make_token,
    make_user,
)

URL = "/api/v1/users"


@pytest.mark.parametrize("change", [{"email": "coordinator@evil.test"}, {"active": False}])
def test_coordinator_naming_an_owner_cannot_redirect_or_deactivate_its_people(
    client: TestClient, session: Session, change: dict[str, object]
) -> None:
    coordinator, headers = login(session, role=Role.coordinator)
    plan = make_plan(session)
    make_coordinator_of(session, plan=plan, user=coordinator)
    foreign = make_organisation(session)
    focal = make_user(session, role=Role.contributor, organisation=foreign, email="f@x.test")
    make_task(session, commitment=make_commitment(session, plan=plan), lead=foreign)

    seen = client.get(f"{URL}/{focal.id}", headers=headers)
    response = client.patch(f"{URL}/{focal.id}", json=change, headers=headers)

    assert seen.status_code == 200  # the people of its plans: it may read them
    assert response.status_code == 403, response.text
    stored = session.get(User, focal.id, populate_existing=True)
    assert stored is not None
    assert (stored.email, stored.active) == ("f@x.test", True)


def test_coordinator_changes_no_address_even_of_a_user_it_created(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session, role=Role.coordinator)
    body = {"name": "Ani", "email": "ani@example.test", "role": "viewer"}
    created = client.post(URL, json=body, headers=headers).json()

    moved = client.patch(f"{URL}/{created['id']}", json={"email": "x@evil.test"}, headers=headers)
    renamed = client.patch(f"{URL}/{created['id']}", json={"name": "Ani W."}, headers=headers)

    assert moved.status_code == 403
    assert "email" in moved.json()["detail"]
    assert renamed.status_code == 200


def test_a_person_changes_their_own_address(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.contributor, organisation=make_organisation(session))

    response = client.patch(f"{URL}/{me.id}", json={"email": "Baru@Example.test"}, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["email"] == "baru@example.test"
    assert session.get(User, UUID(str(me.id)), populate_existing=True) is not None


def test_a_contributor_a_coordinator_created_works_only_in_that_coordinators_plans(
    client: TestClient, session: Session
) -> None:
    coordinator, headers = login(session, role=Role.coordinator)
    plan = make_plan(session)
    make_coordinator_of(session, plan=plan, user=coordinator)
    foreign = make_organisation(session)
    body = {
        "name": "Self-made",
        "email": "mine@coordinator.test",  # an address the coordinator can sign in with
        "role": "contributor",
        "organisation_id": str(foreign.id),
    }
    created = client.post(URL, json=body, headers=headers).json()
    made = session.get(User, UUID(created["id"]))
    assert made is not None
    token = {"Authorization": f"Bearer {make_token(session, user=made)}"}
    inside = make_task(session, commitment=make_commitment(session, plan=plan), lead=foreign)
    outside = make_task(session, commitment=make_commitment(session), lead=foreign)

    allowed = client.patch(
        f"/api/v1/tasks/{inside.id}", json={"progress": 5}, headers={**token, "If-Match": '"1"'}
    )
    refused = client.patch(
        f"/api/v1/tasks/{outside.id}", json={"progress": 5}, headers={**token, "If-Match": '"1"'}
    )

    assert allowed.status_code == 200, allowed.text
    assert refused.status_code == 403, refused.text
    assert "coordinator" in refused.json()["detail"]
