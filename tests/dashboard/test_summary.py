from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.dashboard.conftest import World
from tests.factories import auth, login

URL = "/api/v1/summary"


def _plan(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(plan for plan in body["plans"] if plan["code"] == code)


def test_summary_counts_by_status_and_schedule(client: TestClient, world: World) -> None:
    response = client.get(URL, headers=world.headers)

    totals = response.json()["totals"]
    assert response.status_code == 200
    assert totals["tasks"] == 7
    assert totals["by_status"] == {
        "not_started": 2,
        "in_progress": 2,
        "blocked": 1,
        "completed": 1,
        "cancelled": 1,
    }
    assert totals["by_schedule"] == {
        "no_due_date": 1,
        "on_track": 1,
        "due_soon": 1,
        "overdue": 2,
        "done": 2,
    }
    assert totals["completion"] == 35.0  # (40+100+0+10+0+60)/6: cancelled work left out


def test_summary_gives_completion_per_plan_and_pillar(client: TestClient, world: World) -> None:
    body = client.get(URL, headers=world.headers).json()

    perpres = _plan(body, "PERPRES-87-2025")
    pillars = {pillar["code"]: pillar for pillar in perpres["pillars"]}
    assert [plan["code"] for plan in body["plans"]] == ["ASEAN-RPA-2021", "PERPRES-87-2025"]
    assert (perpres["tasks"], perpres["completion"]) == (5, 30.0)
    assert list(pillars) == ["PENCEGAHAN", "PENANGANAN", "KOLABORASI", None]
    assert (pillars["PENCEGAHAN"]["tasks"], pillars["PENCEGAHAN"]["completion"]) == (2, 70.0)
    assert pillars["PENCEGAHAN"]["by_schedule"]["overdue"] == 1
    assert (pillars["KOLABORASI"]["tasks"], pillars["KOLABORASI"]["completion"]) == (0, 0.0)
    assert pillars[None]["title"] == "Plan-wide"
    assert _plan(body, "ASEAN-RPA-2021")["completion"] == 60.0


def test_summary_counts_overdue_and_slipped_work_by_organisation(
    client: TestClient, world: World
) -> None:
    body = client.get(URL, headers=world.headers).json()

    rows = [
        {key: row[key] for key in ("code", "tasks", "lead", "open", "overdue", "slipped", "done")}
        for row in body["organisations"]
    ]
    assert rows == [
        {
            "code": "KOMDIGI",
            "tasks": 3,
            "lead": 3,
            "open": 2,
            "overdue": 2,
            "slipped": 2,
            "done": 1,
        },
        {"code": "KPAI", "tasks": 2, "lead": 1, "open": 2, "overdue": 1, "slipped": 1, "done": 0},
        {
            "code": "KEMENPPPA",
            "tasks": 3,
            "lead": 3,
            "open": 2,
            "overdue": 0,
            "slipped": 1,
            "done": 1,
        },
    ]


def test_summary_lists_most_overdue_and_upcoming_tasks(client: TestClient, world: World) -> None:
    body = client.get(URL, headers=world.headers).json()

    overdue = [(task["title"], task["days_overdue"]) for task in body["most_overdue"]]
    upcoming = [(task["title"], task["due_date"]) for task in body["upcoming"]]
    assert overdue == [("Task T1", 10), ("Task T7", 3)]
    assert upcoming == [("Task T3", "2026-03-05"), ("Task T4", "2028-06-30")]
    assert body["most_overdue"][0]["lead_organisation"] == "KOMDIGI"
    assert body["most_overdue"][0]["commitment"] == "COP-PREV-01"


def test_summary_speaks_indonesian(client: TestClient, world: World) -> None:
    response = client.get(URL, headers={**world.headers, "Accept-Language": "id"})

    body = response.json()
    perpres = _plan(body, "PERPRES-87-2025")
    assert body["locale"] == "id"
    assert perpres["title"] == "Rencana PERPRES-87-2025"
    assert perpres["pillars"][0]["title"] == "Pilar PENCEGAHAN"
    assert perpres["pillars"][-1]["title"] == "Lintas strategi"
    assert body["labels"]["status"]["blocked"] == "Terhambat"
    assert body["labels"]["schedule"]["overdue"] == "Terlambat"


def test_summary_filters_by_plan(client: TestClient, world: World) -> None:
    body = client.get(URL, params={"plan": "asean-rpa-2021"}, headers=world.headers).json()

    assert [plan["code"] for plan in body["plans"]] == ["ASEAN-RPA-2021"]
    assert body["totals"]["tasks"] == 2
    assert [row["code"] for row in body["organisations"]] == ["KOMDIGI", "KEMENPPPA"]
    assert [task["title"] for task in body["most_overdue"]] == ["Task T7"]


def test_summary_filters_by_organisation_alias_or_code(client: TestClient, world: World) -> None:
    body = client.get(URL, params={"organisation": "KPAI"}, headers=world.headers).json()

    assert body["totals"]["tasks"] == 2
    assert body["totals"]["by_schedule"]["overdue"] == 1
    assert [task["title"] for task in body["most_overdue"]] == ["Task T1"]


def test_summary_for_an_unknown_plan_is_empty(client: TestClient, world: World) -> None:
    response = client.get(URL, params={"plan": "NO-SUCH-PLAN"}, headers=world.headers)

    body = response.json()
    assert response.status_code == 200
    assert (body["plans"], body["organisations"], body["most_overdue"]) == ([], [], [])
    assert body["totals"]["tasks"] == 0


def test_summary_with_an_empty_filter_value_is_422(client: TestClient, world: World) -> None:
    response = client.get(URL, params={"plan": ""}, headers=world.headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "plan"


def test_summary_without_token_is_401(client: TestClient, world: World) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_summary_with_unknown_token_is_401(client: TestClient, world: World) -> None:
    response = client.get(URL, headers=auth("pnt_not-a-token"))

    assert response.status_code == 401


def test_summary_answers_304_until_something_changes(
    client: TestClient, world: World, session: Session
) -> None:
    first = client.get(URL, headers=world.headers)
    _, admin = login(session, role=Role.admin)
    unchanged = client.get(URL, headers={**world.headers, "If-None-Match": first.headers["etag"]})
    client.post(
        "/api/v1/organisations",
        json={"code": "BSSN", "name_en": "BSSN", "name_id": "BSSN", "kind": "agency"},
        headers=admin,
    )

    changed = client.get(URL, headers={**world.headers, "If-None-Match": first.headers["etag"]})

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
    assert changed.json()["data_version"] > first.json()["data_version"]


def test_summary_never_mentions_emails_or_tokens(client: TestClient, world: World) -> None:
    body = client.get(URL, headers=world.headers).text

    assert "@" not in body
    assert "pnt_" not in body
