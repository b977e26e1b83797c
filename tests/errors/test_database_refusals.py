"""Values that pass validation but that a database refuses are 4xx problems, never 500s."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import login

URL = "/api/v1/organisations"


def test_nul_character_in_text_is_a_422_problem_on_both_databases(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    response = client.post(
        URL,
        json={"code": "NUL", "name_en": "a\u0000b", "name_id": "x", "kind": "ngo"},
        headers=headers,
    )
    listed = client.get(URL, headers=headers).json()["items"]

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [item for item in listed if item["code"] == "NUL"] == []


def test_number_beyond_the_column_range_is_a_4xx_problem(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    plan = client.post(
        "/api/v1/plans",
        headers=headers,
        json={
            "code": "P-RANGE",
            "title_en": "P",
            "title_id": "P",
            "scope": "national",
            "issuer": "Gov",
            "period_start": "2025-01-01",
            "period_end": "2029-12-31",
        },
    )

    response = client.post(
        "/api/v1/commitments",
        headers=headers,
        json={
            "plan": plan.json()["code"],
            "code": "C-RANGE",
            "title_en": "C",
            "title_id": "C",
            "target_year": 2**40,
        },
    )

    assert plan.status_code == 201
    assert 400 <= response.status_code < 500
