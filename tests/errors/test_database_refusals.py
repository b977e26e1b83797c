"""Values that pass validation but that a database refuses are 4xx problems, never 500s."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from sqlmodel import Session, select

from app.db import unit_of_work
from app.models import Organisation, OrganisationKind
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


def test_nul_character_in_one_row_of_a_many_row_insert_is_refused_on_both_databases(
    db: Engine,
) -> None:
    rows = [
        Organisation(code=code, name_en=name, name_id=name, kind=OrganisationKind.ngo)
        for code, name in (("CLEAN", "clean"), ("DIRTY", "a\x00b"), ("ALSO", "clean"))
    ]

    with pytest.raises(DataError), unit_of_work(db) as session:
        session.add_all(rows)

    with unit_of_work(db, write=False) as session:
        assert session.exec(select(Organisation)).all() == []
