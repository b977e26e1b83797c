from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_plan,
    make_task,
    make_user,
)

URL = "/api/v1/users"
PUBLIC_KEYS = {
    "id",
    "name",
    "email",
    "role",
    "organisation_id",
    "locale",
    "time_zone",
    "digest",
    "active",
    "version",
    "created_at",
    "updated_at",
}


def test_list_users_as_admin_pages_by_email(client: TestClient, session: Session) -> None:
    for email in ("c@example.test", "a@example.test", "b@example.test"):
        make_user(session, email=email)
    _, headers = login(session)

    first = client.get(URL, params={"limit": 2}, headers=headers)
    second = client.get(
        URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )

    emails = [u["email"] for u in first.json()["items"] + second.json()["items"]]
    assert emails[:3] == ["a@example.test", "b@example.test", "c@example.test"]
    assert 'rel="next"' in first.headers["link"]
    assert set(first.json()["items"][0]) == PUBLIC_KEYS


def test_list_users_as_coordinator_shows_the_people_of_its_plans(
    client: TestClient, session: Session
) -> None:
    plan, elsewhere = make_plan(session), make_plan(session)
    owner, lead, stranger = (make_organisation(session) for _ in range(3))
    make_task(session, commitment=make_commitment(session, plan=plan), lead=owner)
    make_commitment(session, plan=plan, lead=lead)
    coordinator, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=coordinator)
    peer = make_user(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=peer)
    other = make_user(session, role=Role.coordinator)
    make_coordinator_of(session, plan=elsewhere, user=other)
    of_owner = make_user(session, role=Role.contributor, organisation=owner)
    of_lead = make_user(session, role=Role.viewer, organisation=lead)
    make_user(session, role=Role.contributor, organisation=stranger)

    response = client.get(URL, headers=headers)

    seen = {UUID(u["id"]) for u in response.json()["items"]}
    assert seen == {coordinator.id, peer.id, of_owner.id, of_lead.id}


def test_list_users_as_contributor_is_403(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.contributor, organisation=make_organisation(session))

    response = client.get(URL, headers=headers)

    assert response.status_code == 403


def test_list_users_without_token_is_401(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401


def test_get_me_shows_own_account_and_no_secret(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)

    response = client.get(f"{URL}/me", headers=headers)

    assert response.status_code == 200
    assert set(response.json()) == PUBLIC_KEYS
    assert response.json()["id"] == str(me.id)
    assert response.headers["etag"] == '"1"'


def test_get_user_answers_304_to_its_etag(client: TestClient, session: Session) -> None:
    user = make_user(session)
    _, headers = login(session)
    first = client.get(f"{URL}/{user.id}", headers=headers)

    again = client.get(
        f"{URL}/{user.id}", headers={**headers, "If-None-Match": first.headers["etag"]}
    )

    assert (again.status_code, again.content) == (304, b"")


def test_get_user_outside_coordinators_plans_is_403(client: TestClient, session: Session) -> None:
    stranger = make_user(session, role=Role.viewer)
    _, headers = login(session, role=Role.coordinator)

    response = client.get(f"{URL}/{stranger.id}", headers=headers)

    assert response.status_code == 403
    assert response.json()["type"] == "urn:pantau:problem:forbidden"


def test_get_other_user_as_viewer_is_403(client: TestClient, session: Session) -> None:
    other = make_user(session)
    _, headers = login(session, role=Role.viewer)

    response = client.get(f"{URL}/{other.id}", headers=headers)

    assert response.status_code == 403


def test_get_unknown_user_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.get(f"{URL}/00000000-0000-0000-0000-000000000000", headers=headers)

    assert response.status_code == 404
