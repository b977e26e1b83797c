from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from app.outbox.hooks import HookJob
from tests.factories import login
from tests.reminders.servers import Receiver
from tests.webhooks.conftest import PUBLIC_KEYS, URL, subscribe, webhook

ALL_EVENTS = [
    "report.escalated",
    "report.overdue",
    "report.reminder",
    "task.created",
    "task.escalated",
    "task.overdue",
    "task.reminder",
    "task.status_changed",
    "task.updated",
]


def test_create_shows_the_secret_once(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    response = client.post(URL, json={"url": receiver.url}, headers=admin)

    created = response.json()
    shown = client.get(response.headers["location"], headers=admin)
    listed = client.get(URL, headers=admin)
    assert response.status_code == 201
    assert created["secret"].startswith("whsec_")
    assert set(created) == PUBLIC_KEYS | {"secret"}
    assert created["events"] == ALL_EVENTS
    assert response.headers["etag"] == '"1-0"'
    assert set(shown.json()) == PUBLIC_KEYS
    assert shown.headers["etag"] == '"1-0"'
    assert created["secret"] not in shown.text
    assert created["secret"] not in listed.text


def test_create_without_token_is_401(client: TestClient, receiver: Receiver) -> None:
    assert client.post(URL, json={"url": receiver.url}).status_code == 401


@pytest.mark.parametrize("role", [Role.coordinator, Role.contributor, Role.viewer])
def test_webhooks_are_admin_only_403(
    client: TestClient, session: Session, receiver: Receiver, role: Role
) -> None:
    _, headers = login(session, role=role)

    created = client.post(URL, json={"url": receiver.url}, headers=headers)
    listed = client.get(URL, headers=headers)

    assert (created.status_code, listed.status_code) == (403, 403)


def test_private_address_is_refused_without_the_allowlist(
    strict_client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    response = strict_client.post(URL, json={"url": receiver.url}, headers=admin)
    in_indonesian = strict_client.post(
        URL, json={"url": receiver.url}, headers={**admin, "Accept-Language": "id"}
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "url"
    assert "127.0.0.1" in error["message"]
    assert "PANTAU_WEBHOOK_ALLOWLIST" in error["message"]
    assert "alamat loopback" in in_indonesian.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:9/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://100.100.100.200/hook",
        "http://0.0.0.0/hook",
        "http://[64:ff9b::7f00:1]/hook",
        "http://[64:ff9b:1::a00:1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:a9fe:a9fe]/hook",
    ],
)
def test_non_public_addresses_are_refused(
    strict_client: TestClient, admin: dict[str, str], url: str
) -> None:
    response = strict_client.post(URL, json={"url": url}, headers=admin)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"


def test_metadata_address_is_refused_even_with_loopback_allowed(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post(URL, json={"url": "http://169.254.169.254/"}, headers=admin)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://93.184.215.14/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://user:secret@93.184.215.14/hook"}, "url"),
        ({"url": "https://93.184.215.14/hook", "events": []}, "events"),
        ({"url": "https://93.184.215.14/hook", "events": ["task.deleted"]}, "events.0"),
        ({"url": "https://93.184.215.14/hook", "secret": "mine"}, "secret"),
        ({}, "url"),
    ],
)
def test_invalid_body_is_422(
    client: TestClient, admin: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post(URL, json=body, headers=admin)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_public_ip_literal_needs_no_allowlist(
    strict_client: TestClient, admin: dict[str, str]
) -> None:
    body = {"url": "https://93.184.215.14/hook", "events": ["task.overdue", "task.overdue"]}

    response = strict_client.post(URL, json=body, headers=admin)

    assert response.status_code == 201
    assert response.json()["events"] == ["task.overdue"]


def test_update_with_stale_if_match_is_412(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    created = subscribe(client, admin, receiver)
    url = f"{URL}/{created['id']}"
    client.patch(url, json={"description": "first"}, headers={**admin, "If-Match": '"1"'})

    stale = client.patch(url, json={"description": "second"}, headers={**admin, "If-Match": '"1"'})

    assert stale.status_code == 412


def test_update_to_a_refused_address_is_422_whatever_version_it_names(
    strict_client: TestClient, admin: dict[str, str]
) -> None:
    """No version makes a private address acceptable: the body is refused first (422, not 412)."""
    body = {"url": "https://93.184.215.14/hook", "events": ["task.overdue"]}
    created = strict_client.post(URL, json=body, headers=admin).json()

    response = strict_client.patch(
        f"{URL}/{created['id']}",
        json={"url": "http://127.0.0.1/hook"},
        headers={**admin, "If-Match": '"999"'},
    )

    assert response.status_code == 422


def test_update_changes_events_and_version(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    created = subscribe(client, admin, receiver)

    response = client.patch(
        f"{URL}/{created['id']}",
        json={"events": ["task.escalated"], "version": 1},
        headers=admin,
    )

    assert response.status_code == 200
    assert (response.json()["events"], response.json()["version"]) == (["task.escalated"], 2)
    assert response.headers["etag"] == '"2-0"'


def test_update_to_a_private_address_is_refused(
    strict_client: TestClient, admin: dict[str, str]
) -> None:
    created = strict_client.post(URL, json={"url": "https://93.184.215.14/"}, headers=admin)

    response = strict_client.patch(
        f"{URL}/{created.json()['id']}", json={"url": "http://127.0.0.1:9/"}, headers=admin
    )

    assert response.status_code == 422


def test_delete_then_404(client: TestClient, admin: dict[str, str], receiver: Receiver) -> None:
    created = subscribe(client, admin, receiver)
    url = f"{URL}/{created['id']}"

    deleted = client.delete(url, headers=admin)

    assert deleted.status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    assert client.get(f"{url}/deliveries", headers=admin).status_code == 404


def test_unknown_webhook_is_404(client: TestClient, admin: dict[str, str]) -> None:
    url = f"{URL}/00000000-0000-4000-8000-000000000000"

    assert client.get(url, headers=admin).status_code == 404
    assert client.patch(url, json={"active": True}, headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404


def test_list_pages_and_answers_304(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    subscribe(client, admin, receiver)
    subscribe(client, admin, receiver)

    first = client.get(URL, params={"limit": 1}, headers=admin)
    second = client.get(
        URL, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=admin
    )
    again = client.get(
        URL, params={"limit": 1}, headers={**admin, "If-None-Match": first.headers["etag"]}
    )

    assert 'rel="next"' in first.headers["link"]
    assert first.json()["items"][0]["id"] != second.json()["items"][0]["id"]
    assert again.status_code == 304


def test_secret_stays_out_of_reprs_and_so_out_of_logs(
    client: TestClient, admin: dict[str, str], receiver: Receiver, session: Session
) -> None:
    created = subscribe(client, admin, receiver)
    row = webhook(session, created["id"])
    job = HookJob(uuid4(), row.id, row.url, "msg_1", "{}", row.secret)

    assert row.secret == created["secret"]
    assert str(created["secret"]) not in repr(row)
    assert str(created["secret"]) not in repr(job)


def test_id_that_is_not_a_uuid_is_404(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    created = subscribe(client, admin, receiver)

    webhook_404 = client.get(f"{URL}/not-a-uuid", headers=admin)
    delivery_404 = client.post(f"{URL}/{created['id']}/deliveries/42/replay", headers=admin)

    assert (webhook_404.status_code, delivery_404.status_code) == (404, 404)
    assert delivery_404.json()["detail"] == "No delivery with that identifier."
