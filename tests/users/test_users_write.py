from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, History, Role, User
from tests.factories import (
    auth,
    login,
    make_organisation,
    make_token,
    make_user,
)

URL = "/api/v1/users"


def _new_user(**fields: object) -> dict[str, object]:
    return {"name": "Ani Wulandari", "email": "ani@kemenpppa.go.id", "role": "viewer", **fields}


def test_create_user_answers_201_and_records_history_and_change(
    client: TestClient, session: Session
) -> None:
    admin, headers = login(session)
    organisation = make_organisation(session)
    body = _new_user(role="contributor", organisation_id=str(organisation.id), locale="id")

    response = client.post(URL, json={**body, "time_zone": "Asia/Makassar"}, headers=headers)

    created = response.json()
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"].endswith(f"{URL}/{created['id']}")
    assert (created["role"], created["locale"], created["time_zone"]) == (
        "contributor",
        "id",
        "Asia/Makassar",
    )
    history = session.exec(select(History).where(col(History.entity_id) == UUID(created["id"])))
    assert [(h.action, h.actor_id) for h in history] == [("created", admin.id)]
    change = session.exec(select(Change).where(col(Change.entity) == "user")).one()
    assert change.data is not None
    assert "email" not in change.data


def test_create_user_with_same_email_in_other_case_is_409(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    client.post(URL, json=_new_user(email="Ani@Example.test"), headers=headers)

    again = client.post(URL, json=_new_user(email="ani@EXAMPLE.test"), headers=headers)
    stored = session.exec(select(User.email).where(col(User.name) == "Ani Wulandari")).all()

    assert again.status_code == 409
    assert stored == ["ani@example.test"]


def test_create_contributor_without_organisation_is_422(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    response = client.post(URL, json=_new_user(role="contributor"), headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organisation_id"


def test_create_user_with_unknown_organisation_is_422(client: TestClient, session: Session) -> None:
    _, headers = login(session)
    body = _new_user(organisation_id="00000000-0000-0000-0000-000000000000")

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organisation_id"


def test_create_user_with_unknown_time_zone_is_422_in_indonesian(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    response = client.post(
        URL,
        json=_new_user(time_zone="Asia/Bandung"),
        headers={**headers, "Accept-Language": "id"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "time_zone",
            "message": "Zona waktu tidak dikenal: gunakan nama IANA seperti Asia/Jakarta.",
        }
    ]


def test_create_user_with_bad_email_or_locale_is_422(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    bad_email = client.post(URL, json=_new_user(email="ani at example"), headers=headers)
    bad_locale = client.post(URL, json=_new_user(locale="fr"), headers=headers)

    assert bad_email.status_code == 422
    assert bad_email.json()["errors"][0]["field"] == "email"
    assert bad_locale.status_code == 422
    assert bad_locale.json()["errors"][0]["field"] == "locale"


def test_create_coordinator_by_coordinator_is_403(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.coordinator)

    response = client.post(URL, json=_new_user(role="coordinator"), headers=headers)

    assert response.status_code == 403


def test_create_user_by_viewer_is_403(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.post(URL, json=_new_user(), headers=headers)

    assert response.status_code == 403


def test_coordinator_sees_and_deactivates_the_contributor_it_created(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session, role=Role.coordinator)
    organisation = make_organisation(session)
    body = _new_user(role="contributor", organisation_id=str(organisation.id))
    created = client.post(URL, json=body, headers=headers).json()
    token = make_token(session, user=session.get_one(User, UUID(created["id"])))

    listed = client.get(URL, headers=headers)
    deactivated = client.patch(
        f"{URL}/{created['id']}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    refused = client.get(f"{URL}/me", headers=auth(token))

    assert created["id"] in [u["id"] for u in listed.json()["items"]]
    assert deactivated.status_code == 200
    assert deactivated.json()["version"] == 2
    assert refused.status_code == 401


def test_update_own_preferences(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)
    changes = {"name": "Budi", "locale": "id", "time_zone": "Asia/Jayapura", "digest": True}

    response = client.patch(f"{URL}/{me.id}", json=changes, headers=headers)

    assert response.status_code == 200
    assert {k: response.json()[k] for k in changes} == changes
    assert response.headers["etag"] == '"2"'


def test_update_own_role_or_organisation_is_403(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)

    role = client.patch(f"{URL}/{me.id}", json={"role": "admin"}, headers=headers)
    organisation = client.patch(
        f"{URL}/{me.id}",
        json={"organisation_id": str(make_organisation(session).id)},
        headers=headers,
    )

    assert role.status_code == 403
    assert role.json()["detail"] == "You may not change role of this user."
    assert organisation.status_code == 403


def test_update_other_user_by_contributor_is_403(client: TestClient, session: Session) -> None:
    organisation = make_organisation(session)
    colleague = make_user(session, role=Role.contributor, organisation=organisation)
    _, headers = login(session, role=Role.contributor, organisation=organisation)

    response = client.patch(f"{URL}/{colleague.id}", json={"name": "X"}, headers=headers)

    assert response.status_code == 403


def test_update_role_by_admin_records_the_change(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.viewer)
    admin, headers = login(session)

    response = client.patch(f"{URL}/{user.id}", json={"role": "coordinator"}, headers=headers)

    history = session.exec(select(History).where(col(History.entity_id) == user.id)).one()
    assert response.json()["role"] == "coordinator"
    assert (history.field, history.old, history.new, history.actor_id) == (
        "role",
        "viewer",
        "coordinator",
        admin.id,
    )


def test_update_with_stale_if_match_is_412(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)
    client.patch(f"{URL}/{me.id}", json={"name": "First"}, headers={**headers, "If-Match": '"1"'})

    stale = client.patch(
        f"{URL}/{me.id}", json={"name": "Second"}, headers={**headers, "If-Match": '"1"'}
    )

    assert stale.status_code == 412
    assert client.get(f"{URL}/me", headers=headers).json()["name"] == "First"


def test_update_to_contributor_without_organisation_is_422(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, role=Role.viewer)
    _, headers = login(session)

    response = client.patch(f"{URL}/{user.id}", json={"role": "contributor"}, headers=headers)

    assert response.status_code == 422


def test_update_name_to_null_is_422(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)

    response = client.patch(f"{URL}/{me.id}", json={"name": None}, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_update_email_to_one_taken_is_409(client: TestClient, session: Session) -> None:
    make_user(session, email="taken@example.test")
    user = make_user(session)
    _, headers = login(session)

    response = client.patch(
        f"{URL}/{user.id}", json={"email": "TAKEN@example.test"}, headers=headers
    )

    assert response.status_code == 409


def test_admin_demoting_or_deactivating_self_is_409(client: TestClient, session: Session) -> None:
    me, headers = login(session)

    demote = client.patch(f"{URL}/{me.id}", json={"role": "viewer"}, headers=headers)
    deactivate = client.patch(f"{URL}/{me.id}", json={"active": False}, headers=headers)

    assert (demote.status_code, deactivate.status_code) == (409, 409)
