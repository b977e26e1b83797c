"""Values that pass validation but that a database refuses are 4xx problems, never 500s."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import login

URL = "/api/v1/organisations"


def test_nul_character_in_text_is_a_4xx_problem_where_the_database_refuses_it(
    client: TestClient, session: Session, database_url: str
) -> None:
    _, headers = login(session)
    # SQLite stores NUL; PostgreSQL refuses it, and that refusal is the client's to fix.
    expected = 422 if database_url.startswith("postgresql") else 201

    response = client.post(
        URL,
        json={"code": "NUL", "name_en": "a\u0000b", "name_id": "x", "kind": "ngo"},
        headers=headers,
    )

    assert response.status_code == expected


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
