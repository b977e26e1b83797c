import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Change, History, PlanCoordinator, Role
from tests.factories import login, make_organisation, make_plan, make_user

URL = "/api/v1/plans"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers collect alike


def test_put_coordinator_is_201_then_200_and_recorded_once(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="P1")
    user = make_user(session, role=Role.coordinator)
    _, headers = login(session)

    first = client.put(f"{URL}/P1/coordinators/{user.id}", headers=headers)
    again = client.put(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == str(user.id)
    assert session.exec(select(PlanCoordinator)).all() == [
        PlanCoordinator(plan_id=plan.id, user_id=user.id)
    ]
    assert len(session.exec(select(Change)).all()) == 1
    assert len(session.exec(select(History)).all()) == 1


def test_new_coordinator_may_then_change_the_plan(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    user, coordinator_headers = login(session, role=Role.coordinator)
    _, admin_headers = login(session)
    before = client.patch(f"{URL}/P1", json={"issuer": "KemenPPPA"}, headers=coordinator_headers)

    client.put(f"{URL}/P1/coordinators/{user.id}", headers=admin_headers)
    after = client.patch(f"{URL}/P1", json={"issuer": "KemenPPPA"}, headers=coordinator_headers)

    assert (before.status_code, after.status_code) == (403, 200)


@pytest.mark.parametrize("role", [Role.viewer, Role.contributor])
def test_put_coordinator_who_cannot_coordinate_is_422(
    client: TestClient, session: Session, role: Role
) -> None:
    make_plan(session, code="P1")
    user = make_user(session, role=role)
    _, headers = login(session)

    response = client.put(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "user_id"


def test_put_coordinator_by_coordinator_is_403(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    user, headers = login(session, role=Role.coordinator)

    response = client.put(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    assert response.status_code == 403


@pytest.mark.parametrize("user_id", [UNKNOWN_ID, "not-a-uuid"])
def test_put_unknown_user_is_404(client: TestClient, session: Session, user_id: str) -> None:
    make_plan(session, code="P1")
    _, headers = login(session)

    response = client.put(f"{URL}/P1/coordinators/{user_id}", headers=headers)

    assert response.status_code == 404


def test_list_coordinators_shows_names_and_organisations_but_no_email(
    client: TestClient, session: Session
) -> None:
    plan = make_plan(session, code="P1")
    kemenpppa = make_organisation(session, code="KEMENPPPA")
    ani = make_user(session, role=Role.coordinator, organisation=kemenpppa, email="ani@kpppa.test")
    _, admin_headers = login(session)
    client.put(f"{URL}/{plan.id}/coordinators/{ani.id}", headers=admin_headers)
    _, viewer_headers = login(session, role=Role.viewer)

    response = client.get(f"{URL}/P1/coordinators", headers=viewer_headers)

    assert response.json()["items"] == [
        {
            "id": str(ani.id),
            "name": "ani",
            "role": "coordinator",
            "organisation": {"id": str(kemenpppa.id), "code": "KEMENPPPA"},
        }
    ]
    assert "ani@kpppa.test" not in response.text


def test_list_coordinators_of_unknown_plan_is_404(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.get(f"{URL}/NOPE/coordinators", headers=headers)

    assert response.status_code == 404


def test_delete_coordinator_is_204_then_404(client: TestClient, session: Session) -> None:
    plan = make_plan(session, code="P1")
    user = make_user(session, role=Role.coordinator)
    _, headers = login(session)
    client.put(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    first = client.delete(f"{URL}/P1/coordinators/{user.id}", headers=headers)
    again = client.delete(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    assert (first.status_code, again.status_code) == (204, 404)
    actions = session.exec(
        select(Change.action).where(col(Change.entity) == "plan_coordinator")
    ).all()
    assert actions == ["created", "deleted"]
    assert session.get(PlanCoordinator, (plan.id, user.id)) is None


def test_delete_coordinator_by_coordinator_is_403(client: TestClient, session: Session) -> None:
    make_plan(session, code="P1")
    user, headers = login(session, role=Role.coordinator)

    response = client.delete(f"{URL}/P1/coordinators/{user.id}", headers=headers)

    assert response.status_code == 403
