from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.conftest import NOW
from tests.factories import auth, login, make_coordinator_of, make_token
from tests.reminders.conftest import Run, Team

URL = "/api/v1/reminders"


def _scheduled(session: Session, run: Run) -> Team:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    run(NOW)
    return team


def test_list_without_token_is_401(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_admin_sees_every_reminder_with_its_delivery_state(
    client: TestClient, session: Session, run: Run
) -> None:
    team = _scheduled(session, run)
    _, headers = login(session, role=Role.admin)

    response = client.get(URL, headers=headers)

    assert response.status_code == 200
    items = response.json()["items"]
    assert sorted(i["address"] for i in items) == ["ayu@example.test", "budi@example.test"]
    first = items[0]
    assert first["task_id"] == str(team.task.id)
    assert (first["kind"], first["offset_days"], first["channel"]) == ("before", -7, "email")
    assert (first["status"], first["attempts"]) == ("sent", 1)
    assert first["fire_at"] == "2026-03-02T02:00:00Z"


def test_filters_by_task_status_channel_and_recipient(
    client: TestClient, session: Session, run: Run
) -> None:
    team = _scheduled(session, run)
    other = Team(session, due=NOW.date() + timedelta(days=14), tag="-2")
    run(NOW + timedelta(days=7))
    coordinator, headers = login(session, role=Role.coordinator)
    for plan in (team.plan, other.plan):  # addresses are shown for the people of its plans
        make_coordinator_of(session, plan=plan, user=coordinator)

    by_task = client.get(URL, params={"task": str(other.task.id)}, headers=headers)
    by_recipient = client.get(URL, params={"recipient": "ayu@example.test"}, headers=headers)
    by_user_id = client.get(URL, params={"recipient": str(team.contributor.id)}, headers=headers)
    none_failed = client.get(URL, params={"status": ["failed", "dead"]}, headers=headers)
    no_webhooks = client.get(URL, params={"channel": "webhook"}, headers=headers)

    assert {i["task_id"] for i in by_task.json()["items"]} == {str(other.task.id)}
    assert len(by_task.json()["items"]) == 2
    assert [i["address"] for i in by_recipient.json()["items"]] == ["ayu@example.test"] * 2
    assert {i["address"] for i in by_user_id.json()["items"]} == {"budi@example.test"}
    assert none_failed.json()["items"] == []
    assert no_webhooks.json()["items"] == []


def test_contributor_sees_only_reminders_addressed_to_them(
    client: TestClient, session: Session, run: Run
) -> None:
    team = _scheduled(session, run)
    headers = auth(make_token(session, user=team.assignee))

    mine = client.get(URL, headers=headers)
    me = client.get(URL, params={"recipient": "me"}, headers=headers)

    assert [i["address"] for i in mine.json()["items"]] == ["ayu@example.test"]
    assert [i["address"] for i in me.json()["items"]] == ["ayu@example.test"]


def test_coordinator_of_another_plan_sees_no_addresses(
    client: TestClient, session: Session, run: Run
) -> None:
    team = _scheduled(session, run)
    _, headers = login(session, role=Role.coordinator)

    items = client.get(URL, headers=headers).json()["items"]

    assert {i["task_id"] for i in items} == {str(team.task.id)}
    assert [i["address"] for i in items] == [None, None]


def test_unknown_status_is_422(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.admin)

    response = client.get(URL, params={"status": "lost"}, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status.0"


def test_pages_with_cursor_and_link(client: TestClient, session: Session, run: Run) -> None:
    _scheduled(session, run)
    _, headers = login(session, role=Role.admin)

    first = client.get(URL, params={"limit": 1}, headers=headers)
    second = client.get(
        URL, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=headers
    )

    assert 'rel="next"' in first.headers["link"]
    assert len(first.json()["items"]) == len(second.json()["items"]) == 1
    assert first.json()["items"][0]["id"] != second.json()["items"][0]["id"]
    assert second.json()["next_cursor"] is None


def test_304_until_a_worker_changes_something(
    client: TestClient, session: Session, run: Run
) -> None:
    Team(session, due=NOW.date() + timedelta(days=7))
    _, headers = login(session, role=Role.admin)
    before = client.get(URL, headers=headers)

    hit = client.get(URL, headers={**headers, "If-None-Match": before.headers["etag"]})
    run(NOW)
    miss = client.get(URL, headers={**headers, "If-None-Match": before.headers["etag"]})

    assert (hit.status_code, hit.content) == (304, b"")
    assert miss.status_code == 200
    assert len(miss.json()["items"]) == 2
