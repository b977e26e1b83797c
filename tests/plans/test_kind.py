"""A plan's kind over HTTP, and the matrix levels described in the OpenAPI document."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import login
from tests.plans.test_router import plan_body

URL = "/api/v1/plans"


def test_plans_are_created_with_a_kind_listed_by_it_and_default_to_action_plan(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    client.post(URL, json=plan_body(code="PP-17", kind="regulation"), headers=headers)
    client.post(URL, json=plan_body(code="RPA"), headers=headers)

    regulations = client.get(URL, params={"kind": "regulation"}, headers=headers)
    rpa = client.get(f"{URL}/RPA", headers=headers)
    wrong = client.get(URL, params={"kind": "law"}, headers=headers)

    assert [p["code"] for p in regulations.json()["items"]] == ["PP-17"]
    assert rpa.json()["kind"] == "action_plan"
    assert wrong.status_code == 422


def test_a_coordinator_changes_the_kind_but_not_to_null(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    client.post(URL, json=plan_body(code="STRANAS"), headers=headers)
    _, viewer = login(session, role=Role.viewer)

    changed = client.patch(
        f"{URL}/STRANAS", json={"kind": "strategy", "version": 1}, headers=headers
    )
    nulled = client.patch(f"{URL}/STRANAS", json={"kind": None, "version": 2}, headers=headers)

    assert changed.json()["kind"] == "strategy"
    assert nulled.status_code == 422
    assert client.get(f"{URL}/STRANAS", headers=viewer).json()["kind"] == "strategy"


def _properties(document: dict[str, Any], schema: str) -> dict[str, Any]:
    properties: dict[str, Any] = document["components"]["schemas"][schema]["properties"]
    return properties


def test_openapi_describes_the_matrix_levels_as_the_stranas_annex_defines_them(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()

    for schema in ("CommitmentPublic", "CommitmentCreate", "CommitmentUpdate"):
        fields = _properties(document, schema)
        assert "program utama" in fields["focus"]["description"], schema
        assert "kegiatan pokok" in fields["title_en"]["description"], schema
        assert "penanggung jawab" in fields["lead_organisation"]["description"], schema
        assert "K/L terkait" in fields["related_organisations"]["description"], schema
        assert "primary" in fields["basis"]["description"], schema
    assert "regulation" in _properties(document, "PlanPublic")["kind"]["description"]
