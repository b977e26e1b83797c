import hashlib
from datetime import timedelta, timezone
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.models import ApiToken, Change, Role
from tests.conftest import NOW
from tests.factories import auth, login, make_user

URL = "/api/v1/tokens"
ME = "/api/v1/users/me"
PUBLIC_KEYS = {"id", "user_id", "name", "prefix", "created_at", "expires_at", "revoked_at"}


def test_create_token_for_self_shows_it_once_and_it_works(
    client: TestClient, session: Session
) -> None:
    me, headers = login(session, role=Role.viewer)

    created = client.post(URL, json={"user_id": str(me.id), "name": "laptop"}, headers=headers)
    secret = created.json()["token"]
    me_again = client.get(ME, headers=auth(secret))
    shown = client.get(created.headers["location"], headers=headers)

    assert created.status_code == 201
    assert set(created.json()) == PUBLIC_KEYS | {"token"}
    assert created.json()["prefix"] == secret[:8]
    assert me_again.json()["id"] == str(me.id)
    assert set(shown.json()) == PUBLIC_KEYS


def test_only_the_sha256_of_a_token_is_stored(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)

    created = client.post(URL, json={"user_id": str(me.id), "name": "ci"}, headers=headers).json()

    row = session.get_one(ApiToken, UUID(created["id"]))
    assert row.token_hash == hashlib.sha256(created["token"].encode()).hexdigest()
    assert created["token"] not in row.model_dump_json()


def test_create_token_for_another_user_by_non_admin_is_403(
    client: TestClient, session: Session
) -> None:
    other = make_user(session)
    _, headers = login(session, role=Role.coordinator)

    response = client.post(URL, json={"user_id": str(other.id), "name": "x"}, headers=headers)

    assert response.status_code == 403


def test_create_token_for_another_user_by_admin_is_201(
    client: TestClient, session: Session
) -> None:
    other = make_user(session, role=Role.viewer)
    _, headers = login(session)

    response = client.post(URL, json={"user_id": str(other.id), "name": "x"}, headers=headers)

    assert response.status_code == 201
    assert client.get(ME, headers=auth(response.json()["token"])).json()["id"] == str(other.id)


def test_create_token_for_unknown_user_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session)
    body = {"user_id": "00000000-0000-0000-0000-000000000000", "name": "x"}

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 404


def test_create_token_for_deactivated_user_is_409(client: TestClient, session: Session) -> None:
    other = make_user(session)
    other.active = False
    session.add(other)
    session.commit()
    _, headers = login(session)

    response = client.post(URL, json={"user_id": str(other.id), "name": "x"}, headers=headers)

    assert response.status_code == 409


def test_create_token_expiring_in_the_past_or_naive_is_422(
    client: TestClient, session: Session
) -> None:
    me, headers = login(session)
    past = (NOW - timedelta(minutes=1)).isoformat()

    expired = client.post(
        URL, json={"user_id": str(me.id), "name": "x", "expires_at": past}, headers=headers
    )
    naive = client.post(
        URL,
        json={"user_id": str(me.id), "name": "x", "expires_at": "2027-01-01T00:00:00"},
        headers=headers,
    )

    assert (expired.status_code, naive.status_code) == (422, 422)
    assert expired.json()["errors"][0]["field"] == "expires_at"


def test_token_past_its_expiry_is_401(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    me, headers = login(session, role=Role.viewer)
    jakarta = timezone(timedelta(hours=7))
    expires = (NOW + timedelta(hours=1)).astimezone(jakarta).isoformat()
    body = {"user_id": str(me.id), "name": "one hour", "expires_at": expires}
    created = client.post(URL, json=body, headers=headers).json()
    secret = created["token"]

    before = client.get(ME, headers=auth(secret))
    clock.advance(timedelta(hours=1))
    after = client.get(ME, headers=auth(secret))

    assert created["expires_at"] == "2026-03-02T03:00:00Z"
    assert (before.status_code, after.status_code) == (200, 401)


def test_revoked_token_is_401_and_the_data_version_moves(
    client: TestClient, session: Session
) -> None:
    me, headers = login(session, role=Role.viewer)
    created = client.post(URL, json={"user_id": str(me.id), "name": "x"}, headers=headers).json()
    listed = client.get(URL, headers=headers)

    revoked = client.delete(f"{URL}/{created['id']}", headers=headers)
    refused = client.get(ME, headers=auth(created["token"]))
    relisted = client.get(URL, headers={**headers, "If-None-Match": listed.headers["etag"]})

    assert revoked.status_code == 204
    assert refused.status_code == 401
    assert relisted.status_code == 200
    assert [t["revoked_at"] for t in relisted.json()["items"] if t["id"] == created["id"]] == [
        NOW.isoformat().replace("+00:00", "Z")
    ]
    actions = session.exec(
        select(Change.action).where(col(Change.entity) == "token").order_by(col(Change.seq))
    ).all()
    assert list(actions) == ["created", "deleted"]


def test_revoking_twice_is_204_without_a_second_change(
    client: TestClient, session: Session
) -> None:
    me, headers = login(session, role=Role.viewer)
    created = client.post(URL, json={"user_id": str(me.id), "name": "x"}, headers=headers).json()

    first = client.delete(f"{URL}/{created['id']}", headers=headers)
    second = client.delete(f"{URL}/{created['id']}", headers=headers)

    changes = session.exec(select(Change).where(col(Change.entity) == "token")).all()
    assert (first.status_code, second.status_code) == (204, 204)
    assert len(changes) == 2


def test_revoke_with_stale_if_match_is_412(client: TestClient, session: Session) -> None:
    me, headers = login(session, role=Role.viewer)
    created = client.post(URL, json={"user_id": str(me.id), "name": "x"}, headers=headers).json()
    client.delete(f"{URL}/{created['id']}", headers=headers)

    response = client.delete(f"{URL}/{created['id']}", headers={**headers, "If-Match": '"1"'})

    assert response.status_code == 412


def test_revoke_another_users_token_is_403(client: TestClient, session: Session) -> None:
    owner, owner_headers = login(session, role=Role.viewer)
    token = client.post(URL, json={"user_id": str(owner.id), "name": "x"}, headers=owner_headers)
    _, headers = login(session, role=Role.coordinator)

    response = client.delete(f"{URL}/{token.json()['id']}", headers=headers)

    assert response.status_code == 403
    assert client.get(ME, headers=auth(token.json()["token"])).status_code == 200


def test_revoke_unknown_token_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.delete(f"{URL}/00000000-0000-0000-0000-000000000000", headers=headers)

    assert response.status_code == 404


def test_list_tokens_shows_own_only_and_never_a_secret(
    client: TestClient, session: Session
) -> None:
    me, headers = login(session, role=Role.viewer)
    login(session, role=Role.viewer)

    response = client.get(URL, headers=headers)

    assert [t["user_id"] for t in response.json()["items"]] == [str(me.id)]
    assert set(response.json()["items"][0]) == PUBLIC_KEYS


def test_list_tokens_of_another_user_by_non_admin_is_403(
    client: TestClient, session: Session
) -> None:
    other, _ = login(session, role=Role.viewer)
    _, headers = login(session, role=Role.coordinator)

    response = client.get(URL, params={"user_id": str(other.id)}, headers=headers)

    assert response.status_code == 403


def test_list_tokens_as_admin_filters_by_user_and_pages(
    client: TestClient, session: Session
) -> None:
    other, _ = login(session, role=Role.viewer)
    _, headers = login(session)
    for name in ("a", "b"):
        client.post(URL, json={"user_id": str(other.id), "name": name}, headers=headers)

    everyone = client.get(URL, headers=headers)
    first = client.get(URL, params={"user_id": str(other.id), "limit": 2}, headers=headers)
    second = client.get(
        URL,
        params={"user_id": str(other.id), "limit": 2, "cursor": first.json()["next_cursor"]},
        headers=headers,
    )

    assert len(everyone.json()["items"]) == 4
    pages = first.json()["items"] + second.json()["items"]
    assert len({t["id"] for t in pages}) == 3
    assert {t["user_id"] for t in pages} == {str(other.id)}
    assert second.json()["next_cursor"] is None


def test_tokens_without_a_token_is_401(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401
