import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import History, Role
from tests.factories import login, make_coordinator_of, make_pillar, make_plan

PLANS = "/api/v1/plans"
PILLARS = "/api/v1/pillars"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers collect alike


def test_list_pillars_follows_position_across_pages(client: TestClient, session: Session) -> None:
    plan = make_plan(session, code="P1")
    for code, position in (("KOLABORASI", 3), ("PENCEGAHAN", 1), ("PENANGANAN", 2)):
        make_pillar(session, plan=plan, code=code, position=position)
    make_pillar(session, plan=make_plan(session), code="ELSEWHERE", position=0)
    _, headers = login(session, role=Role.viewer)

    first = client.get(f"{PLANS}/P1/pillars", params={"limit": 2}, headers=headers)
    second = client.get(first.links["next"]["url"], headers=headers)

    assert [p["code"] for p in first.json()["items"]] == ["PENCEGAHAN", "PENANGANAN"]
    assert [p["code"] for p in second.json()["items"]] == ["KOLABORASI"]
    assert first.json()["items"][0]["plan"] == {"id": str(plan.id), "code": "P1"}


def test_list_pillars_answers_304_to_its_etag(client: TestClient, session: Session) -> None:
    make_pillar(session, plan=make_plan(session, code="P1"))
    _, headers = login(session, role=Role.viewer)
    first = client.get(f"{PLANS}/P1/pillars", headers=headers)

    again = client.get(
        f"{PLANS}/P1/pillars", headers={**headers, "If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304


def test_create_pillar_by_plan_coordinator_is_201_with_location(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="P1")
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=plan, user=user)
    body = {"code": "COP-PREV", "title_en": "Prevention", "title_id": "Pencegahan", "position": 1}

    response = client.post(f"{PLANS}/P1/pillars", json=body, headers=headers)
    fetched = client.get(response.headers["location"], headers=headers)

    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    assert fetched.json() == response.json()
    assert fetched.json()["title_id"] == "Pencegahan"


def test_create_pillar_with_taken_code_in_the_plan_is_409(
    client: TestClient, session: Session
) -> None:
    make_pillar(session, plan=make_plan(session, code="P1"), code="COP-PREV")
    _, headers = login(session)
    body = {"code": "cop-prev", "title_en": "Prevention", "title_id": "Pencegahan"}

    response = client.post(f"{PLANS}/P1/pillars", json=body, headers=headers)

    assert response.status_code == 409


def test_same_pillar_code_in_another_plan_is_fine(client: TestClient, session: Session) -> None:
    make_pillar(session, plan=make_plan(session, code="P1"), code="COP-PREV")
    make_plan(session, code="P2")
    _, headers = login(session)
    body = {"code": "COP-PREV", "title_en": "Prevention", "title_id": "Pencegahan"}

    response = client.post(f"{PLANS}/P2/pillars", json=body, headers=headers)

    assert response.status_code == 201


def test_create_pillar_in_a_plan_not_coordinated_is_403(
    client: TestClient, session: Session
) -> None:
    make_plan(session, code="P1")
    _, headers = login(session, role=Role.coordinator)
    body = {"code": "X", "title_en": "X", "title_id": "X"}

    response = client.post(f"{PLANS}/P1/pillars", json=body, headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"code": "X", "title_en": "", "title_id": "X"},
        {"code": "X", "title_en": "X", "title_id": "X", "position": -1},
        {"code": "has space", "title_en": "X", "title_id": "X"},
    ],
)
def test_create_pillar_with_bad_body_is_422(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)

    response = client.post(f"{PLANS}/P1/pillars", json=body, headers=headers)

    assert response.status_code == 422


def test_update_pillar_records_history_and_bumps_version(
    client: TestClient, session: Session
) -> None:
    pillar = make_pillar(session, plan=make_plan(session, code="P1"))
    _, headers = login(session)

    response = client.patch(
        f"{PILLARS}/{pillar.id}",
        json={"title_id": "Penanganan kasus", "position": 2},
        headers={**headers, "If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["position"]) == (2, 2)
    fields = session.exec(select(History.field).where(col(History.entity_id) == pillar.id)).all()
    assert sorted(f for f in fields if f) == ["position", "title_id"]


def test_update_pillar_with_stale_if_match_is_412(client: TestClient, session: Session) -> None:
    pillar = make_pillar(session, plan=make_plan(session))
    _, headers = login(session)
    client.patch(f"{PILLARS}/{pillar.id}", json={"title_en": "A"}, headers=headers)

    response = client.patch(
        f"{PILLARS}/{pillar.id}", json={"title_en": "B"}, headers={**headers, "If-Match": '"1"'}
    )

    assert response.status_code == 412


def test_update_pillar_by_viewer_is_403(client: TestClient, session: Session) -> None:
    pillar = make_pillar(session, plan=make_plan(session))
    _, headers = login(session, role=Role.viewer)

    response = client.patch(f"{PILLARS}/{pillar.id}", json={"title_en": "B"}, headers=headers)

    assert response.status_code == 403


def test_update_pillar_of_a_plan_not_coordinated_is_403(
    client: TestClient, session: Session
) -> None:
    pillar = make_pillar(session, plan=make_plan(session))
    user, headers = login(session, role=Role.coordinator)
    make_coordinator_of(session, plan=make_plan(session), user=user)

    response = client.patch(f"{PILLARS}/{pillar.id}", json={"title_en": "B"}, headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize("pillar_id", [UNKNOWN_ID, "COP-PREV"])
def test_get_unknown_pillar_is_404(client: TestClient, session: Session, pillar_id: str) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.get(f"{PILLARS}/{pillar_id}", headers=headers)

    assert response.status_code == 404


def test_get_pillar_answers_304_to_its_etag(client: TestClient, session: Session) -> None:
    pillar = make_pillar(session, plan=make_plan(session))
    _, headers = login(session, role=Role.viewer)

    response = client.get(f"{PILLARS}/{pillar.id}", headers={**headers, "If-None-Match": '"1"'})

    assert response.status_code == 304
