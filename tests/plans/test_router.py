from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, History, PlanScope, Role
from tests.factories import login, make_coordinator_of, make_plan

URL = "/api/v1/plans"


def plan_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "code": "PERPRES-87",
        "title_en": "Road map for child protection online",
        "title_id": "Peta Jalan Pelindungan Anak di Ranah Dalam Jaringan",
        "scope": "national",
        "issuer": "President of the Republic of Indonesia",
        "period_start": "2025-01-01",
        "period_end": "2029-12-31",
    }
    return {**body, **overrides}


def test_list_plans_pages_with_cursor_and_link(client: TestClient, session: Session) -> None:
    for code in ("C", "A", "B"):
        make_plan(session, code=code)
    _, headers = login(session, role=Role.viewer)

    first = client.get(URL, params={"limit": 2}, headers=headers)
    second = client.get(
        URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )

    assert [p["code"] for p in first.json()["items"]] == ["A", "B"]
    assert 'rel="next"' in first.headers["link"]
    assert [p["code"] for p in second.json()["items"]] == ["C"]
    assert second.json()["next_cursor"] is None


def test_list_plans_filters_by_scope(client: TestClient, session: Session) -> None:
    make_plan(session, code="RPA", scope=PlanScope.regional)
    make_plan(session, code="PERPRES", scope=PlanScope.national)
    _, headers = login(session, role=Role.viewer)

    response = client.get(URL, params={"scope": "regional"}, headers=headers)

    assert [p["code"] for p in response.json()["items"]] == ["RPA"]


def test_list_plans_without_token_is_401(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_list_plans_answers_304_until_a_plan_changes(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)
    first = client.get(URL, headers=headers)

    hit = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})
    client.patch(f"{URL}/P1", json={"title_en": "Renamed"}, headers=headers)
    miss = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})

    assert (hit.status_code, hit.content) == (304, b"")
    assert miss.status_code == 200


def test_get_plan_by_code_or_id_answers_304_to_its_etag(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="RPA-2021")
    _, headers = login(session, role=Role.viewer)

    by_code = client.get(f"{URL}/rpa-2021", headers=headers)
    by_id = client.get(
        f"{URL}/{plan.id}", headers={**headers, "If-None-Match": by_code.headers["etag"]}
    )

    assert by_code.json()["id"] == str(plan.id)
    assert by_code.headers["etag"] == '"1"'
    assert (by_id.status_code, by_id.content) == (304, b"")


def test_get_unknown_plan_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.get(f"{URL}/NOPE", headers=headers)

    assert response.status_code == 404
    assert response.json()["type"] == "urn:pantau:problem:not-found"


def test_create_plan_is_201_with_location_history_and_change(
    client: TestClient, session: Session
) -> None:
    admin, headers = login(session)

    response = client.post(URL, json=plan_body(), headers=headers)

    plan = response.json()
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    assert client.get(response.headers["location"], headers=headers).json() == plan
    assert plan["time_zone"] == "Asia/Jakarta"
    assert plan["holiday_country"] == "ID"
    plan_id = UUID(plan["id"])
    history = session.exec(select(History).where(col(History.entity_id) == plan_id)).one()
    change = session.exec(select(Change).where(col(Change.entity) == "plan")).one()
    assert (history.action, history.actor_id) == ("created", admin.id)
    assert change.data is not None
    assert change.data["code"] == "PERPRES-87"


def test_create_plan_round_trips_indonesian_and_emoji_titles(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    title = "Peta Jalan Pelindungan Anak — ranah daring 🛡️ “Perpres”"

    created = client.post(URL, json=plan_body(title_id=title), headers=headers)
    fetched = client.get(f"{URL}/PERPRES-87", headers=headers)

    assert created.json()["title_id"] == title
    assert fetched.json()["title_id"] == title


def test_create_plan_by_coordinator_is_403(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.coordinator)

    response = client.post(URL, json=plan_body(), headers=headers)

    assert response.status_code == 403


def test_create_plan_with_taken_code_is_409(client: TestClient, session: Session) -> None:
    make_plan(session, code="PERPRES-87")
    _, headers = login(session)

    response = client.post(URL, json=plan_body(code="perpres-87"), headers=headers)

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Asia/Atlantis"),
        ("time_zone", "../../etc/passwd"),
        ("holiday_country", "XX"),
        ("holiday_country", "id"),
        ("scope", "global"),
        ("period_start", "2027-02-30"),
        ("title_en", "   "),
        ("source_url", "not a url"),
        ("reminder_policy", [1, 2]),
        ("reminder_policy", {"x": 1}),
        ("reminder_policy", {"before_days": [0]}),
        ("reminder_policy", {"overdue_every_days": -1}),
    ],
)
def test_create_plan_with_bad_field_is_422_naming_it(
    client: TestClient, session: Session, field: str, value: object
) -> None:
    _, headers = login(session)

    response = client.post(URL, json=plan_body(**{field: value}), headers=headers)

    assert response.status_code == 422
    # A nested field is named by its path inside the top-level one (reminder_policy.x).
    assert {e["field"].split(".")[0] for e in response.json()["errors"]} == {field}


def test_create_plan_ending_before_it_starts_is_422(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.post(
        URL,
        json=plan_body(period_start="2029-01-01", period_end="2025-12-31"),
        headers={**headers, "Accept-Language": "id"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "period_end", "message": "period_end lebih awal daripada period_start."}
    ]


def test_update_plan_by_its_coordinator_bumps_version_and_records_each_field(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="P1")
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=user)

    response = client.patch(
        f"{URL}/P1",
        json={
            "title_en": "New",
            "time_zone": "Asia/Makassar",
            "reminder_policy": {"before_days": [3, 10], "escalate_after_days": 7},
        },
        headers={**headers, "If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["reminder_policy"] == {"before_days": [3, 10], "escalate_after_days": 7}
    fields = session.exec(select(History.field).where(col(History.entity_id) == plan.id)).all()
    assert sorted(f for f in fields if f) == ["reminder_policy", "time_zone", "title_en"]


def test_update_plan_without_a_change_keeps_its_version(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="P1")
    _, headers = login(session)

    response = client.patch(f"{URL}/P1", json={"title_en": plan.title_en}, headers=headers)

    assert response.headers["etag"] == '"1"'
    assert session.exec(select(Change)).all() == []


def test_update_plan_by_coordinator_of_another_plan_is_403(
    client: TestClient, session: Session
) -> None:
    make_plan(session, code="P1")
    other = make_plan(session, code="P2")
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=other, user=user)

    response = client.patch(f"{URL}/P1", json={"title_en": "Mine now"}, headers=headers)

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the plan's coordinators (or an admin) may change it."


def test_update_plan_by_contributor_is_403(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    _, headers = login(session, role=Role.contributor)

    response = client.patch(f"{URL}/P1", json={"title_en": "X"}, headers=headers)

    assert response.status_code == 403


def test_update_plan_with_stale_if_match_is_412_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)
    client.patch(f"{URL}/P1", json={"title_en": "First"}, headers={**headers, "If-Match": '"1"'})

    stale = client.patch(
        f"{URL}/P1", json={"title_en": "Second"}, headers={**headers, "If-Match": '"1"'}
    )

    assert stale.status_code == 412
    assert client.get(f"{URL}/P1", headers=headers).json()["title_en"] == "First"


def test_update_plan_with_stale_body_version_is_412(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)

    response = client.patch(f"{URL}/P1", json={"title_en": "X", "version": 7}, headers=headers)

    assert response.status_code == 412


def test_update_plan_end_before_its_start_is_422(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")  # runs 2025-01-01 to 2029-12-31
    _, headers = login(session)

    response = client.patch(f"{URL}/P1", json={"period_end": "2024-12-31"}, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period_end"


@pytest.mark.parametrize(
    "body",
    [{"title_en": None}, {"scope": None}, {"code": "RENAMED"}, {"time_zone": "Mars/Olympus"}],
)
def test_update_plan_with_bad_body_is_422(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)

    response = client.patch(f"{URL}/P1", json=body, headers=headers)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == list(body)


def test_update_unknown_plan_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.patch(f"{URL}/NOPE", json={"title_en": "X"}, headers=headers)

    assert response.status_code == 404
