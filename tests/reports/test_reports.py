"""Filing, editing and verifying reports on commitments (issue 12)."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, Commitment, History, Plan, Role
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_plan,
)

URL = "/api/v1/reports"


@dataclass
class World:
    plan: Plan
    commitment: Commitment
    lead: dict[str, str]
    other: dict[str, str]
    coordinator: dict[str, str]
    stranger: dict[str, str]


@pytest.fixture
def w(session: Session) -> World:
    plan = make_plan(session, code="PERPRES")
    kpppa = make_organisation(session, code="KEMENPPPA")
    komdigi = make_organisation(session, code="KOMDIGI")
    commitment = make_commitment(session, plan=plan, code="PREV-01", lead=kpppa)
    _, lead = login(session, role=Role.contributor, organisation=kpppa)
    _, other = login(session, role=Role.contributor, organisation=komdigi)
    user, coordinator = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=user)
    _, stranger = login(session, role=Role.coordinator)
    return World(plan, commitment, lead, other, coordinator, stranger)


def body(**overrides: Any) -> dict[str, Any]:
    base = {
        "commitment": "PREV-01",
        "period": "2026-S1",
        "assessment": "limited",
        "narrative_id": "Pedoman sedang disusun.",
        "evidence": [{"url": "https://kemenpppa.go.id/pedoman", "title": "Draf pedoman"}],
    }
    return {**base, **overrides}


def file(client: TestClient, w: World, **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, json=body(**overrides), headers=w.lead)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_lead_contributor_files_a_draft(client: TestClient, w: World) -> None:
    response = client.post(URL, json=body(), headers=w.lead)

    assert response.status_code == 201, response.text
    report = response.json()
    assert report["state"] == "draft"
    assert report["commitment"] == "PREV-01"
    assert report["period"] == "2026-S1"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/reports/{report['id']}")


def test_periods_are_semesters_due_fifteen_days_after(client: TestClient, w: World) -> None:
    response = client.get("/api/v1/plans/PERPRES/periods", headers=w.lead)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items[:3]] == ["2025-S1", "2025-S2", "2026-S1"]
    assert items[3] == {
        "id": "2026-S2",
        "start": "2026-07-01",
        "end": "2026-12-31",
        "due": "2027-01-15",
        "started": False,
    }
    assert len(items) == 10  # 2025-2029


def test_a_plan_may_report_by_quarter(client: TestClient, session: Session, w: World) -> None:
    w.plan.reporting_policy = {"cadence": "quarter", "due_days": 30}
    session.add(w.plan)
    session.commit()

    items = client.get("/api/v1/plans/PERPRES/periods", headers=w.lead).json()["items"]

    assert items[0] == {
        "id": "2025-Q1",
        "start": "2025-01-01",
        "end": "2025-03-31",
        "due": "2025-04-30",
        "started": True,
    }
    assert len(items) == 20


def test_a_period_not_started_is_refused(client: TestClient, w: World) -> None:
    response = client.post(URL, json=body(period="2026-S2"), headers=w.lead)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period"
    assert "2026-07-01" in response.json()["errors"][0]["message"]


def test_an_unknown_period_is_refused(client: TestClient, w: World) -> None:
    response = client.post(URL, json=body(period="2031-S1"), headers=w.lead)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period"


def test_another_organisation_may_not_file(client: TestClient, w: World) -> None:
    response = client.post(URL, json=body(), headers=w.other)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.test/a", "file:///etc/passwd"])
def test_evidence_links_must_be_http(client: TestClient, w: World, url: str) -> None:
    response = client.post(URL, json=body(evidence=[{"url": url}]), headers=w.lead)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "evidence.0.url"


def test_a_very_long_narrative_is_refused(client: TestClient, w: World) -> None:
    response = client.post(URL, json=body(narrative_en="x" * 20_001), headers=w.lead)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "narrative_en"


def test_a_second_report_for_the_period_is_409(client: TestClient, w: World) -> None:
    file(client, w)

    response = client.post(URL, json=body(assessment="complete"), headers=w.coordinator)

    assert response.status_code == 409
    assert "2026-S1" in response.json()["detail"]


def test_draft_edits_need_a_current_if_match(client: TestClient, w: World) -> None:
    report = file(client, w)
    url = f"{URL}/{report['id']}"

    missing = client.patch(url, json={"assessment": "substantial"}, headers=w.lead)
    fresh = client.patch(
        url, json={"assessment": "substantial"}, headers={**w.lead, "If-Match": '"1"'}
    )
    stale = client.patch(url, json={"indicator_value": "3"}, headers={**w.lead, "If-Match": '"1"'})

    assert missing.status_code == 428
    assert fresh.status_code == 200
    assert fresh.json()["assessment"] == "substantial"
    assert fresh.headers["ETag"] == '"2"'
    assert stale.status_code == 412


def test_submitted_report_is_read_only_for_its_authors(client: TestClient, w: World) -> None:
    report = file(client, w)
    url = f"{URL}/{report['id']}"

    submitted = client.post(f"{url}/submit", headers=w.lead)
    edit = client.patch(url, json={"assessment": "complete"}, headers={**w.lead, "If-Match": '"2"'})

    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert edit.status_code == 409


def test_only_the_plans_coordinators_verify(client: TestClient, w: World) -> None:
    report = file(client, w)
    url = f"{URL}/{report['id']}"
    client.post(f"{url}/submit", headers=w.lead)

    by_author = client.post(f"{url}/accept", headers=w.lead)
    by_stranger = client.post(f"{url}/accept", headers=w.stranger)
    by_coordinator = client.post(f"{url}/accept", headers=w.coordinator)

    assert by_author.status_code == 403
    assert by_stranger.status_code == 403
    assert by_coordinator.status_code == 200
    assert by_coordinator.json()["state"] == "accepted"
    assert by_coordinator.json()["reviewed_at"] is not None


def test_return_needs_a_comment_and_reopens_the_draft(client: TestClient, w: World) -> None:
    report = file(client, w)
    url = f"{URL}/{report['id']}"
    client.post(f"{url}/submit", headers=w.lead)

    bare = client.post(f"{url}/return", headers=w.coordinator)
    returned = client.post(f"{url}/return", json={"comment": "Tautkan SK."}, headers=w.coordinator)
    edit = client.patch(
        url, json={"indicator_value": "2 of 5"}, headers={**w.lead, "If-Match": '"3"'}
    )
    again = client.post(f"{url}/submit", headers=w.lead)

    assert bare.status_code == 422
    assert returned.json()["state"] == "returned"
    assert returned.json()["review_comment"] == "Tautkan SK."
    assert edit.status_code == 200
    assert again.json()["state"] == "submitted"


def test_every_step_is_in_history_and_the_feed(
    client: TestClient, session: Session, w: World
) -> None:
    report = file(client, w)
    url = f"{URL}/{report['id']}"
    client.post(f"{url}/submit", headers=w.lead)
    client.post(f"{url}/accept", headers=w.coordinator)

    actions = session.exec(
        select(History.action).where(col(History.entity) == "report").order_by(col(History.id))
    ).all()
    feed = session.exec(
        select(Change.version).where(col(Change.entity) == "report").order_by(col(Change.seq))
    ).all()
    assert actions == ["created", "submitted", "accepted"]
    assert feed == [1, 2, 3]


def test_a_stale_if_match_on_a_step_is_412(client: TestClient, w: World) -> None:
    report = file(client, w)

    response = client.post(f"{URL}/{report['id']}/submit", headers={**w.lead, "If-Match": '"7"'})

    assert response.status_code == 412


def test_idempotent_post_files_once(client: TestClient, w: World) -> None:
    headers = {**w.lead, "Idempotency-Key": "report-1"}
    first = client.post(URL, json=body(), headers=headers)
    second = client.post(URL, json=body(), headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_reports_list_by_plan_and_period(client: TestClient, w: World) -> None:
    report = file(client, w)

    listed = client.get(URL, params={"plan": "PERPRES", "period": "2026-s1"}, headers=w.other)
    other = client.get(URL, params={"period": "2025-S2"}, headers=w.other)

    assert [item["id"] for item in listed.json()["items"]] == [report["id"]]
    assert other.json()["items"] == []


def test_errors_speak_indonesian(client: TestClient, w: World) -> None:
    response = client.post(
        URL, json=body(period="2026-S2"), headers={**w.lead, "Accept-Language": "id"}
    )

    assert "belum dimulai" in response.json()["errors"][0]["message"]


def test_a_coordinator_sets_the_plans_cadence_over_http(client: TestClient, w: World) -> None:
    url = "/api/v1/plans/PERPRES"
    headers = {**w.coordinator, "If-Match": '"1"'}

    bad = client.patch(url, json={"reporting_policy": {"cadence": "monthly"}}, headers=headers)
    good = client.patch(url, json={"reporting_policy": {"cadence": "year"}}, headers=headers)
    items = client.get(f"{url}/periods", headers=w.lead).json()["items"]

    assert bad.status_code == 422
    assert good.status_code == 200, good.text
    assert [item["id"] for item in items] == ["2025", "2026", "2027", "2028", "2029"]
    assert items[1]["due"] == "2027-01-15"


def test_a_caller_without_the_right_learns_nothing_from_a_stale_version(
    client: TestClient, w: World
) -> None:
    """The right is checked before the precondition: 403, not 412, for another organisation."""
    report = file(client, w)
    stale = {"If-Match": '"99"'}

    changed = client.patch(
        f"{URL}/{report['id']}", json={"indicator_value": "9"}, headers={**w.other, **stale}
    )
    accepted = client.post(f"{URL}/{report['id']}/accept", headers={**w.lead, **stale})

    assert (changed.status_code, accepted.status_code) == (403, 403)
