from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Alignment, Change, Commitment, History, Plan, PlanScope, Role
from tests.factories import (
    login,
    make_alignment,
    make_commitment,
    make_coordinator_of,
    make_plan,
)

URL = "/api/v1/alignments"
COMMITMENTS = "/api/v1/commitments"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers collect alike


@pytest.fixture
def national(session: Session) -> Commitment:
    return make_commitment(session, plan=make_plan(session, code="PERPRES"), code="COP-HAND-03")


@pytest.fixture
def regional(session: Session) -> Commitment:
    rpa = make_plan(session, code="RPA", scope=PlanScope.regional)
    return make_commitment(session, plan=rpa, code="RPA-1")


def test_create_alignment_by_codes_shows_on_both_commitments(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    _, headers = login(session)
    before = client.get(f"{COMMITMENTS}/RPA-1", headers=headers)
    body = {"national_commitment": "cop-hand-03", "regional_commitment": str(regional.id)}

    response = client.post(URL, json={**body, "note": "Both strengthen the law."}, headers=headers)
    on_national = client.get(f"{COMMITMENTS}/COP-HAND-03", headers=headers).json()
    on_regional = client.get(
        f"{COMMITMENTS}/RPA-1", headers={**headers, "If-None-Match": before.headers["etag"]}
    )

    created = response.json()
    assert response.status_code == 201
    assert client.get(response.headers["location"], headers=headers).json() == created
    assert created["national_commitment"] == {"id": str(national.id), "code": "COP-HAND-03"}
    link = {"id": created["id"], "note": "Both strengthen the law."}
    assert on_national["contributes_to"] == [
        {**link, "commitment": {"id": str(regional.id), "code": "RPA-1"}}
    ]
    assert on_regional.status_code == 200  # the alignment changed the commitment's ETag
    assert on_regional.json()["contributions"] == [
        {**link, "commitment": {"id": str(national.id), "code": "COP-HAND-03"}}
    ]


def test_create_alignment_records_history_and_change(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    admin, headers = login(session)
    body = {"national_commitment": "COP-HAND-03", "regional_commitment": "RPA-1"}

    created = client.post(URL, json=body, headers=headers).json()

    alignment_id = UUID(created["id"])
    history = session.exec(select(History).where(col(History.entity_id) == alignment_id)).one()
    change = session.exec(select(Change).where(col(Change.entity_id) == alignment_id)).one()
    assert (history.action, history.actor_id, change.action) == ("created", admin.id, "created")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"national_commitment": "RPA-1", "regional_commitment": "COP-HAND-03"}, "national"),
        ({"national_commitment": "COP-HAND-03", "regional_commitment": "COP-HAND-03"}, "regional"),
        ({"national_commitment": "NOPE", "regional_commitment": "RPA-1"}, "national"),
        ({"national_commitment": "COP-HAND-03", "regional_commitment": "NOPE"}, "regional"),
        ({"national_commitment": "COP-HAND-03"}, "regional"),
    ],
)
def test_create_alignment_with_wrong_sides_is_422(
    client: TestClient,
    session: Session,
    national: Commitment,
    regional: Commitment,
    body: dict[str, str],
    field: str,
) -> None:
    _, headers = login(session)

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == f"{field}_commitment"
    assert session.exec(select(Alignment)).all() == []


def test_create_alignment_in_indonesian_explains_the_side(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    _, headers = login(session)
    body = {"national_commitment": "RPA-1", "regional_commitment": "RPA-1"}

    response = client.post(URL, json=body, headers={**headers, "Accept-Language": "id"})

    assert response.json()["errors"][0]["message"] == "Harus berupa komitmen dari rencana nasional."


def test_create_duplicate_alignment_is_409(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    make_alignment(session, national=national, regional=regional)
    _, headers = login(session)
    body = {"national_commitment": "COP-HAND-03", "regional_commitment": "RPA-1"}

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 409
    assert response.json()["detail"] == "These two commitments are aligned already."


def test_create_alignment_by_coordinator_of_the_regional_plan_only_is_403(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan_of(session, regional), user=user)
    body = {"national_commitment": "COP-HAND-03", "regional_commitment": "RPA-1"}

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 403


def test_create_alignment_by_coordinator_of_the_national_plan_is_201(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan_of(session, national), user=user)
    body = {"national_commitment": "COP-HAND-03", "regional_commitment": "RPA-1"}

    response = client.post(URL, json=body, headers=headers)

    assert response.status_code == 201


def test_create_alignment_by_viewer_is_403(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    _, headers = login(session, role=Role.viewer)
    body = {"national_commitment": "COP-HAND-03", "regional_commitment": "RPA-1"}

    assert client.post(URL, json=body, headers=headers).status_code == 403


def test_list_alignments_filters_and_pages(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    other = make_commitment(session, plan=plan_of(session, regional), code="RPA-2")
    make_alignment(session, national=national, regional=regional)
    make_alignment(session, national=national, regional=other)
    _, headers = login(session, role=Role.viewer)

    first = client.get(URL, params={"plan": "PERPRES", "limit": 1}, headers=headers)
    second = client.get(first.links["next"]["url"], headers=headers)
    by_commitment = client.get(URL, params={"commitment": "RPA-2"}, headers=headers)
    unknown = client.get(URL, params={"plan": "NOPE"}, headers=headers)

    pages = first.json()["items"] + second.json()["items"]
    assert sorted(a["regional_commitment"]["code"] for a in pages) == ["RPA-1", "RPA-2"]
    assert second.json()["next_cursor"] is None
    assert [a["regional_commitment"]["code"] for a in by_commitment.json()["items"]] == ["RPA-2"]
    assert unknown.json()["items"] == []


def test_list_alignments_without_token_is_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401


def test_delete_alignment_needs_a_current_if_match(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    alignment = make_alignment(session, national=national, regional=regional)
    _, headers = login(session)
    address = f"{URL}/{alignment.id}"

    missing = client.delete(address, headers=headers)
    stale = client.delete(address, headers={**headers, "If-Match": '"2"'})
    done = client.delete(address, headers={**headers, "If-Match": '"1"'})
    gone = client.get(address, headers=headers)

    assert [r.status_code for r in (missing, stale, done, gone)] == [428, 412, 204, 404]
    tombstone = session.exec(select(Change).where(col(Change.entity_id) == alignment.id)).one()
    assert (tombstone.action, tombstone.data) == ("deleted", None)
    assert client.get(f"{COMMITMENTS}/RPA-1", headers=headers).json()["contributions"] == []


def test_delete_alignment_by_coordinator_of_another_plan_is_403(
    client: TestClient, session: Session, national: Commitment, regional: Commitment
) -> None:
    alignment = make_alignment(session, national=national, regional=regional)
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan_of(session, regional), user=user)

    response = client.delete(f"{URL}/{alignment.id}", headers={**headers, "If-Match": '"1"'})

    assert response.status_code == 403


@pytest.mark.parametrize("alignment_id", [UNKNOWN_ID, "not-an-id"])
def test_delete_unknown_alignment_is_404(
    client: TestClient, session: Session, alignment_id: str
) -> None:
    _, headers = login(session)

    response = client.delete(f"{URL}/{alignment_id}", headers={**headers, "If-Match": '"1"'})

    assert response.status_code == 404


def plan_of(session: Session, commitment: Commitment) -> Plan:
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    return plan
