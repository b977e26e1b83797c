import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from app.models import Role, TaskStatus, User
from tests.conftest import NOW
from tests.exchange.support import API, data_version, fresh, history_of, world
from tests.factories import login, make_commitment, make_task

ICS = f"{API}/calendar.ics"
FEED_KEY = f"{API}/users/me/feed-key"


def _events(response: Any) -> dict[str, Any]:
    """The VEVENTs of a feed by SUMMARY, parsed back with icalendar."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def _feed_key(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post(FEED_KEY, headers=headers)
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


def test_calendar_has_one_all_day_event_per_task_with_a_due_date(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(
        session,
        commitment=w.commitment,
        title="Rapat koordinasi 🤝",
        status=TaskStatus.in_progress,
        progress=40,
        due_date=date(2026, 5, 20),
        lead=w.ministry,
        support=[w.ngo],
    )
    undated = make_task(session, commitment=w.commitment, title="undated")
    undated.due_date = None
    session.add(undated)
    session.commit()

    response = client.get(ICS, headers=w.headers)

    events = _events(response)
    assert list(events) == [f"Rapat koordinasi 🤝 [{w.commitment.code}]"]
    event = events[f"Rapat koordinasi 🤝 [{w.commitment.code}]"]
    assert str(event["UID"]) == f"task-{task.id}@pantau"
    assert event.decoded("DTSTART") == date(2026, 5, 20)
    assert event.decoded("DTEND") == date(2026, 5, 21)
    assert event.decoded("LAST-MODIFIED") == NOW
    assert event.decoded("SEQUENCE") == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Status: In progress (40%)",
        f"Commitment: {w.commitment.code} — {w.commitment.title_en}",
        f"Owners: {w.ministry.code} (lead), {w.ngo.code}",
        f"http://127.0.0.1:8000/tasks/{task.id}",
    ]
    assert str(event["URL"]) == f"http://127.0.0.1:8000/tasks/{task.id}"
    assert response.headers["content-disposition"] == 'inline; filename="pantau-deadlines.ics"'
    calendar = Calendar.from_ical(response.content)
    assert (str(calendar["VERSION"]), str(calendar["X-PUBLISHED-TTL"])) == ("2.0", "PT1H")
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"


def test_calendar_event_follows_the_task_sequence_and_status(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, title="t", lead=w.ministry)
    uid_before = str(next(iter(_events(client.get(ICS, headers=w.headers)).values()))["UID"])
    client.post(
        f"{API}/tasks/{task.id}/transitions",
        json={"status": "cancelled", "note": "Digabung"},
        headers=w.headers,
    )

    event = _events(client.get(ICS, headers=w.headers))[f"t [{w.commitment.code}]"]

    assert str(event["UID"]) == uid_before
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CANCELLED"


def test_calendar_filters_by_organisation_plan_and_status(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    elsewhere = make_commitment(session)
    make_task(session, commitment=w.commitment, title="ministry", lead=w.ministry)
    make_task(session, commitment=w.commitment, title="ngo", lead=w.ngo, status=TaskStatus.blocked)
    make_task(session, commitment=elsewhere, title="other plan", lead=w.ministry)

    def titles(**params: Any) -> list[str]:
        events = _events(client.get(ICS, params=params, headers=w.headers)).values()
        return sorted(str(event["SUMMARY"]).split(" [")[0] for event in events)

    assert titles() == ["ministry", "ngo", "other plan"]
    assert titles(organisation=w.ministry.code) == ["ministry", "other plan"]
    assert titles(plan=w.plan.code) == ["ministry", "ngo"]
    assert titles(status="blocked") == ["ngo"]
    assert titles(due_after=str(NOW.date() + timedelta(days=31))) == []


def test_calendar_speaks_indonesian_with_lang_or_accept_language(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment, title="t", progress=0, lead=w.ministry)

    by_query = client.get(ICS, params={"lang": "id"}, headers=w.headers)
    by_header = client.get(ICS, headers={**w.headers, "Accept-Language": "id"})

    for response in (by_query, by_header):
        event = _events(response)[f"t [{w.commitment.code}]"]
        lines = str(event["DESCRIPTION"]).splitlines()
        assert lines[:3] == [
            "Status: Belum dimulai (0%)",
            f"Komitmen: {w.commitment.code} — {w.commitment.title_id}",
            f"Pemilik: {w.ministry.code} (utama)",
        ]
        assert "Tenggat Pantau" in response.text


def test_calendar_answers_304_to_its_etag(client: TestClient, session: Session) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment, lead=w.ministry)
    key = _feed_key(client, w.headers)
    first = client.get(ICS, params={"key": key})

    again = client.get(ICS, params={"key": key}, headers={"If-None-Match": first.headers["etag"]})

    assert first.status_code == 200
    assert again.status_code == 304


def test_calendar_without_credentials_is_401(client: TestClient) -> None:
    response = client.get(ICS)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_feed_key_lets_a_calendar_read_without_headers(
    client: TestClient, session: Session
) -> None:
    w = world(session, role=Role.viewer)
    make_task(session, commitment=w.commitment, title="t", lead=w.ministry)

    response = client.post(FEED_KEY, headers=w.headers)
    created = response.json()
    by_key = client.get(ICS, params={"key": created["key"]})

    assert response.status_code == 201
    assert created["key"].startswith("pfk_")
    assert created["calendar_url"] == (
        f"http://127.0.0.1:8000/api/v1/calendar.ics?key={created['key']}"
    )
    assert response.headers["location"] == created["calendar_url"]
    assert list(_events(by_key)) == [f"t [{w.commitment.code}]"]


def test_feed_key_is_stored_only_as_its_hash(client: TestClient, session: Session) -> None:
    w = world(session)
    before = data_version(session)

    key = _feed_key(client, w.headers)

    user = fresh(session).get(User, w.user.id)
    assert user is not None
    assert user.feed_key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert [row.action for row in history_of(session, w.user.id)] == ["feed_key_created"]
    assert data_version(session) == before + 1


@pytest.mark.parametrize("key", ["pfk_unknown", ""])
def test_calendar_with_an_unknown_feed_key_is_401(
    client: TestClient, session: Session, key: str
) -> None:
    w = world(session)
    _feed_key(client, w.headers)

    response = client.get(ICS, params={"key": key})

    assert response.status_code == 401
    assert response.json()["detail"] == "The calendar feed key is unknown, or was replaced."


def test_a_new_feed_key_replaces_the_old_one(client: TestClient, session: Session) -> None:
    w = world(session)
    old = _feed_key(client, w.headers)
    new = _feed_key(client, w.headers)

    assert client.get(ICS, params={"key": old}).status_code == 401
    assert client.get(ICS, params={"key": new}).status_code == 200


def test_a_revoked_feed_key_is_401(client: TestClient, session: Session) -> None:
    w = world(session)
    key = _feed_key(client, w.headers)

    revoked = client.delete(FEED_KEY, headers=w.headers)
    again = client.delete(FEED_KEY, headers=w.headers)

    assert (revoked.status_code, again.status_code) == (204, 204)
    assert client.get(ICS, params={"key": key}).status_code == 401


def test_feed_key_of_a_deactivated_user_is_401(client: TestClient, session: Session) -> None:
    w = world(session, role=Role.admin)
    user, headers = login(session, role=Role.viewer)
    key = _feed_key(client, headers)
    deactivated = client.patch(f"{API}/users/{user.id}", json={"active": False}, headers=w.headers)

    response = client.get(ICS, params={"key": key})

    assert deactivated.status_code == 200, deactivated.text
    assert response.status_code == 401


def test_feed_key_creation_without_a_token_is_401(client: TestClient) -> None:
    assert client.post(FEED_KEY).status_code == 401
    assert client.delete(FEED_KEY).status_code == 401
