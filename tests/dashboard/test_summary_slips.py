"""Slips per organisation in the summary (issue 10): the due-date moves of the tasks each one
owns, lead or support, in every scope, and a move through the API counted at once."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.dashboard.conftest import World
from tests.factories import login

URL = "/api/v1/summary"


def _slips(client: TestClient, world: World, **params: str) -> dict[str, int]:
    response = client.get(URL, params=params, headers=world.headers)
    assert response.status_code == 200, response.text
    return {row["code"]: row["slips"] for row in response.json()["organisations"]}


def _slip(session: Session, world: World, **moves: int) -> None:
    for name, slips in moves.items():
        task = world.tasks[name]
        task.slips = slips
        session.add(task)
    session.commit()


def test_summary_sums_the_slips_of_the_tasks_each_organisation_owns(
    client: TestClient, session: Session, world: World
) -> None:
    # T1: KOMDIGI leads, KPAI supports; T3: KEMENPPPA; T7: KOMDIGI, in the ASEAN plan
    _slip(session, world, T1=2, T3=3, T7=1)

    assert _slips(client, world) == {"KOMDIGI": 3, "KPAI": 2, "KEMENPPPA": 3}
    assert _slips(client, world, plan="ASEAN-RPA-2021") == {"KOMDIGI": 1, "KEMENPPPA": 0}
    assert _slips(client, world, organisation="KPAI") == {"KOMDIGI": 2, "KPAI": 2}


def test_a_due_date_moved_later_counts_in_the_next_summary(
    client: TestClient, session: Session, world: World
) -> None:
    _, coordinator = login(session, role=Role.admin)
    before = client.get(URL, headers=world.headers)
    assert {row["code"]: row["slips"] for row in before.json()["organisations"]}["KEMENPPPA"] == 0
    task = world.tasks["T3"]
    moved = client.patch(
        f"/api/v1/tasks/{task.id}",
        json={"due_date": "2026-04-30", "due_date_reason": "Menunggu anggaran"},
        headers={**coordinator, "If-Match": f'"{task.version}"'},
    )
    assert moved.status_code == 200, moved.text

    after = client.get(URL, headers={**world.headers, "If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert {row["code"]: row["slips"] for row in after.json()["organisations"]}["KEMENPPPA"] == 1
