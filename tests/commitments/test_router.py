from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import (
    Commitment,
    CommitmentOrganisation,
    Confidence,
    History,
    OrganisationAlias,
    Plan,
    Role,
)
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_pillar,
    make_plan,
)

URL = "/api/v1/commitments"


def commitment_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "plan": "PERPRES",
        "code": "COP-PREV-01",
        "title_en": "Risk-based filtering of harmful content",
        "title_id": "Pengendalian risiko melalui penyaringan konten",
        "source": ["https://example.test/perpres"],
        "confidence": "medium",
    }
    return {**body, **overrides}


@pytest.fixture
def perpres(session: Session) -> Plan:
    return make_plan(session, code="PERPRES")


def test_create_commitment_is_201_with_the_whole_representation(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    pillar = make_pillar(session, plan=perpres, code="COP-PREV")
    komdigi = make_organisation(session, code="KEMKOMDIGI")
    kpai = make_organisation(session, code="KPAI")
    _, headers = login(session)
    body = commitment_body(
        pillar="cop-prev",
        lead_organisation="KEMKOMDIGI",
        related_organisations=["KPAI", str(kpai.id)],
        target_year=2027,
        focus="Pengendalian risiko",
    )

    response = client.post(URL, json=body, headers=headers)

    created = response.json()
    assert response.status_code == 201
    assert response.headers["etag"].startswith('"1-')
    assert client.get(response.headers["location"], headers=headers).json() == created
    assert created["plan"] == {"id": str(perpres.id), "code": "PERPRES"}
    assert created["pillar"] == {"id": str(pillar.id), "code": "COP-PREV"}
    assert created["lead_organisation"] == {"id": str(komdigi.id), "code": "KEMKOMDIGI"}
    assert created["related_organisations"] == [{"id": str(kpai.id), "code": "KPAI"}]
    assert set(created) == {
        *("id", "code", "plan", "pillar", "title_en", "title_id", "description_en"),
        *("description_id", "focus", "output", "target_year", "lead_organisation"),
        *("related_organisations", "source", "confidence", "basis", "notes", "position"),
        *("contributes_to", "contributions", "version", "created_at", "updated_at"),
    }


def test_create_commitment_finds_a_lead_by_its_former_name(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    komdigi = make_organisation(session, code="KEMKOMDIGI")
    session.add(OrganisationAlias(organisation_id=komdigi.id, alias="Kominfo", alias_key="kominfo"))
    session.commit()
    _, headers = login(session)

    response = client.post(URL, json=commitment_body(lead_organisation="Kominfo"), headers=headers)

    assert response.json()["lead_organisation"]["code"] == "KEMKOMDIGI"


def test_create_commitment_round_trips_indonesian_emoji_and_sql_text(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    _, headers = login(session)
    title = "Literasi digital 📱 bagi anak & keluarga — ‘aman’; DROP TABLE commitment; --"

    client.post(URL, json=commitment_body(title_id=title), headers=headers)
    fetched = client.get(f"{URL}/COP-PREV-01", headers=headers)

    assert fetched.json()["title_id"] == title


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("plan", "NOPE"),
        ("pillar", "NOPE"),
        ("lead_organisation", "NOPE"),
        ("related_organisations", ["NOPE"]),
    ],
)
def test_create_commitment_with_unknown_reference_is_422_naming_it(
    client: TestClient, session: Session, perpres: Plan, field: str, value: object
) -> None:
    _, headers = login(session)

    response = client.post(URL, json=commitment_body(**{field: value}), headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].split(".")[0] == field
    assert session.exec(select(Commitment)).all() == []


def test_create_commitment_under_another_plans_pillar_is_422(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_pillar(session, plan=make_plan(session, code="RPA"), code="RPA-FA1")
    _, headers = login(session)

    response = client.post(URL, json=commitment_body(pillar="RPA-FA1"), headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "The pillar belongs to another plan."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title_en", " "),
        ("confidence", "certain"),
        ("basis", "rumour"),
        ("target_year", 1999),
        ("source", ["ftp://example.test"]),
        ("code", ""),
    ],
)
def test_create_commitment_with_bad_field_is_422(
    client: TestClient, session: Session, perpres: Plan, field: str, value: object
) -> None:
    _, headers = login(session)

    response = client.post(URL, json=commitment_body(**{field: value}), headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].split(".")[0] == field


def test_create_commitment_with_taken_code_is_409(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_commitment(session, plan=make_plan(session), code="COP-PREV-01")
    _, headers = login(session)

    response = client.post(URL, json=commitment_body(code="cop-prev-01"), headers=headers)

    assert response.status_code == 409


def test_create_commitment_in_a_plan_not_coordinated_is_403(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=make_plan(session), user=user)

    response = client.post(URL, json=commitment_body(), headers=headers)

    assert response.status_code == 403


def test_create_commitment_by_plan_coordinator_is_201(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=perpres, user=user)

    response = client.post(URL, json=commitment_body(), headers=headers)

    assert response.status_code == 201


@pytest.mark.parametrize("role", [Role.viewer, Role.contributor])
def test_create_commitment_by_reader_or_contributor_is_403(
    client: TestClient, session: Session, perpres: Plan, role: Role
) -> None:
    _, headers = login(session, role=role)

    response = client.post(URL, json=commitment_body(), headers=headers)

    assert response.status_code == 403


def test_list_commitments_without_token_is_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401


def _codes(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 200
    return [item["code"] for item in response.json()["items"]]


def test_list_commitments_filters_one_by_one_and_combined(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    rpa = make_plan(session, code="RPA")
    prevention = make_pillar(session, plan=perpres, code="COP-PREV")
    kpai = make_organisation(session, code="KPAI")
    make_commitment(session, plan=perpres, pillar=prevention, code="C-1", lead=kpai)
    related = make_commitment(session, plan=perpres, code="C-2")
    session.add(CommitmentOrganisation(commitment_id=related.id, organisation_id=kpai.id))
    low = make_commitment(session, plan=rpa, code="R-1")
    low.confidence, low.title_id = Confidence.low, "Kerja sama internasional"
    session.add(low)
    session.commit()
    _, headers = login(session, role=Role.viewer)

    assert _codes(client, headers, plan="perpres") == ["C-1", "C-2"]
    assert _codes(client, headers, pillar="COP-PREV") == ["C-1"]
    assert _codes(client, headers, organisation="kpai") == ["C-1", "C-2"]
    assert _codes(client, headers, confidence="low") == ["R-1"]
    assert _codes(client, headers, q="KERJA SAMA") == ["R-1"]
    assert _codes(client, headers, plan="RPA", organisation="KPAI") == []
    assert _codes(client, headers, plan="PERPRES", pillar="COP-PREV", organisation="KPAI") == [
        "C-1"
    ]


@pytest.mark.parametrize("params", [{"plan": "NOPE"}, {"organisation": "NOPE"}, {"q": "%"}])
def test_list_commitments_with_unmatched_filter_is_an_empty_page(
    client: TestClient, session: Session, perpres: Plan, params: dict[str, str]
) -> None:
    make_commitment(session, plan=perpres)
    _, headers = login(session, role=Role.viewer)

    assert _codes(client, headers, **params) == []


def test_list_commitments_with_unknown_confidence_is_422(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.get(URL, params={"confidence": "sure"}, headers=headers)

    assert response.status_code == 422


def test_list_commitments_pages_without_repeats_or_gaps(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    codes = [f"C-{n:02d}" for n in range(7)]
    for code in reversed(codes):
        make_commitment(session, plan=perpres, code=code)
    _, headers = login(session, role=Role.viewer)

    seen: list[str] = []
    response = client.get(URL, params={"limit": 3}, headers=headers)
    while True:
        seen += [item["code"] for item in response.json()["items"]]
        if "next" not in response.links:
            break
        response = client.get(response.links["next"]["url"], headers=headers)

    assert seen == codes


def test_list_commitments_answers_304_until_one_changes(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_commitment(session, plan=perpres, code="C-1")
    _, headers = login(session)
    first = client.get(URL, headers=headers)

    hit = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})
    client.patch(f"{URL}/C-1", json={"title_en": "Changed"}, headers=headers)
    miss = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})

    assert (hit.status_code, miss.status_code) == (304, 200)


def test_get_commitment_by_id_or_code_answers_304(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    commitment = make_commitment(session, plan=perpres, code="COP-PREV-01")
    _, headers = login(session, role=Role.viewer)

    by_code = client.get(f"{URL}/cop-prev-01", headers=headers)
    by_id = client.get(
        f"{URL}/{commitment.id}", headers={**headers, "If-None-Match": by_code.headers["etag"]}
    )

    assert by_code.json()["id"] == str(commitment.id)
    assert by_id.status_code == 304


def test_get_unknown_commitment_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    assert client.get(f"{URL}/NOPE", headers=headers).status_code == 404


def test_update_commitment_moves_it_and_records_each_field(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    commitment = make_commitment(session, plan=perpres, code="C-1", lead=make_organisation(session))
    make_pillar(session, plan=perpres, code="COP-HAND")
    make_organisation(session, code="KEMENSOS")
    _, headers = login(session)

    response = client.patch(
        f"{URL}/C-1",
        json={
            "pillar": "COP-HAND",
            "lead_organisation": None,
            "related_organisations": ["KEMENSOS"],
            "confidence": "high",
        },
        headers={**headers, "If-Match": '"1"'},
    )

    updated = response.json()
    assert response.status_code == 200
    assert updated["version"] == 2
    assert (updated["pillar"]["code"], updated["lead_organisation"]) == ("COP-HAND", None)
    assert [ref["code"] for ref in updated["related_organisations"]] == ["KEMENSOS"]
    fields = session.exec(select(History.field).where(col(History.entity_id) == commitment.id))
    assert sorted(f for f in fields if f) == [
        "confidence",
        "lead_organisation_id",
        "pillar_id",
        "related_organisations",
    ]


def test_update_commitment_related_organisations_alone_bumps_version(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_commitment(session, plan=perpres, code="C-1")
    make_organisation(session, code="KPAI")
    _, headers = login(session)

    changed = client.patch(f"{URL}/C-1", json={"related_organisations": ["KPAI"]}, headers=headers)
    same = client.patch(f"{URL}/C-1", json={"related_organisations": ["kpai"]}, headers=headers)

    assert (changed.json()["version"], same.json()["version"]) == (2, 2)


def test_update_commitment_with_stale_if_match_is_412(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_commitment(session, plan=perpres, code="C-1")
    _, headers = login(session)
    client.patch(f"{URL}/C-1", json={"title_en": "A"}, headers=headers)

    response = client.patch(
        f"{URL}/C-1", json={"title_en": "B"}, headers={**headers, "If-Match": '"1-abc"'}
    )

    assert response.status_code == 412


@pytest.mark.parametrize(
    "body",
    [
        {"title_id": None},
        {"plan": "RPA"},
        {"code": "C-9"},
        {"confidence": "sure"},
        {"source": None},
    ],
)
def test_update_commitment_with_bad_body_is_422(
    client: TestClient, session: Session, perpres: Plan, body: dict[str, object]
) -> None:
    make_commitment(session, plan=perpres, code="C-1")
    _, headers = login(session)

    response = client.patch(f"{URL}/C-1", json=body, headers=headers)

    assert response.status_code == 422


def test_update_commitment_of_a_plan_not_coordinated_is_403(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    make_commitment(session, plan=perpres, code="C-1")
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=make_plan(session), user=user)

    response = client.patch(f"{URL}/C-1", json={"title_en": "X"}, headers=headers)

    assert response.status_code == 403


def test_update_unknown_commitment_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    assert client.patch(f"{URL}/NOPE", json={"title_en": "X"}, headers=headers).status_code == 404


def test_related_organisations_are_stored_once(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    kpai = make_organisation(session, code="KPAI")
    _, headers = login(session)

    client.post(URL, json=commitment_body(related_organisations=["KPAI", "kpai"]), headers=headers)

    links = session.exec(select(CommitmentOrganisation)).all()
    assert [link.organisation_id for link in links] == [kpai.id]
