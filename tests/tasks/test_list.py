from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.clock import FixedClock
from app.models import Role, TaskStatus
from tests.conftest import NOW
from tests.factories import login, make_commitment, make_pillar, make_plan, make_task, make_user
from tests.tasks.support import URL, World, create, fields, world

TODAY = date(2026, 3, 2)  # NOW in Jakarta


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item["title"] for item in response.json()["items"])


def _get(client: TestClient, w: World, **params: Any) -> list[str]:
    return _titles(client.get(URL, params=params, headers=w.headers))


def test_list_tasks_filters_by_plan_pillar_and_commitment_codes(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    other_plan = make_plan(session)
    other_pillar = make_pillar(session, plan=w.plan)
    elsewhere = make_commitment(session, plan=other_plan)
    sibling = make_commitment(session, plan=w.plan, pillar=other_pillar)
    make_task(session, commitment=w.commitment, title="here")
    make_task(session, commitment=sibling, title="sibling")
    make_task(session, commitment=elsewhere, title="elsewhere")

    assert _get(client, w, plan=w.plan.code) == ["here", "sibling"]
    assert _get(client, w, plan=str(other_plan.id)) == ["elsewhere"]
    assert _get(client, w, pillar=w.pillar.code) == ["here"]
    assert _get(client, w, commitment=sibling.code.lower()) == ["sibling"]
    assert _get(client, w) == ["elsewhere", "here", "sibling"]


def test_list_tasks_with_unknown_plan_or_organisation_is_an_empty_page(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment, lead=w.ministry)

    assert _get(client, w, plan="NO-SUCH-PLAN") == []
    assert _get(client, w, organisation="NO-SUCH-ORG") == []


def test_list_tasks_filters_by_owner_organisation_code_alias_or_id(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    _, admin = login(session, role=Role.admin)  # only an admin renames an organisation
    renamed = client.patch(
        f"/api/v1/organisations/{w.ngo.code}",
        json={"aliases": ["ECPAT"]},
        headers={**admin, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200, renamed.text
    make_task(session, commitment=w.commitment, title="led", lead=w.ministry)
    make_task(session, commitment=w.commitment, title="shared", lead=w.ministry, support=[w.ngo])
    make_task(session, commitment=w.commitment, title="unowned")

    assert _get(client, w, organisation=w.ministry.code) == ["led", "shared"]
    assert _get(client, w, organisation="ecpat") == ["shared"]
    assert _get(client, w, organisation=str(w.ngo.id)) == ["shared"]


def test_list_tasks_filters_by_repeated_status(client: TestClient, session: Session) -> None:
    w = world(session)
    for status in TaskStatus:
        make_task(session, commitment=w.commitment, title=status.value, status=status)

    one = _get(client, w, status="blocked")
    two = _get(client, w, status=["blocked", "in_progress"])

    assert one == ["blocked"]
    assert two == ["blocked", "in_progress"]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("overdue", ["yesterday"]),
        ("due_soon", ["in 7 days", "today"]),
        ("on_track", ["in 8 days"]),
        ("no_due_date", ["undated"]),
        ("done", ["completed late", "dropped"]),
    ],
)
def test_list_tasks_filters_by_schedule(
    client: TestClient, session: Session, schedule: str, expected: list[str]
) -> None:
    w = world(session)
    for title, days in [("yesterday", -1), ("today", 0), ("in 7 days", 7), ("in 8 days", 8)]:
        make_task(session, commitment=w.commitment, title=title, due_date=TODAY + timedelta(days))
    undated = make_task(session, commitment=w.commitment, title="undated")
    undated.due_date = None
    session.add(undated)
    session.commit()
    make_task(
        session,
        commitment=w.commitment,
        title="completed late",
        status=TaskStatus.completed,
        due_date=TODAY - timedelta(days=30),
    )
    make_task(session, commitment=w.commitment, title="dropped", status=TaskStatus.cancelled)

    listed = client.get(URL, params={"schedule": schedule}, headers=w.headers)

    assert _titles(listed) == expected
    assert {item["schedule"] for item in listed.json()["items"]} == {schedule}


def test_schedule_is_reckoned_in_jakarta_not_utc(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, due_date=date(2026, 3, 1))
    clock.at = NOW - timedelta(hours=7)  # 2026-03-01 19:00 UTC is 2026-03-02 02:00 in Jakarta

    read = client.get(f"{URL}/{task.id}", headers=w.headers)

    assert read.json()["schedule"] == "overdue"
    assert read.headers["etag"] == '"1-20260302"'


def test_list_tasks_filters_by_due_dates_inclusive(client: TestClient, session: Session) -> None:
    w = world(session)
    for day in (10, 20, 31):
        make_task(session, commitment=w.commitment, title=f"m{day}", due_date=date(2026, 3, day))

    assert _get(client, w, due_after="2026-03-20") == ["m20", "m31"]
    assert _get(client, w, due_before="2026-03-20") == ["m10", "m20"]
    assert _get(client, w, due_after="2026-03-11", due_before="2026-03-30") == ["m20"]


def test_list_tasks_filters_by_updated_after(client: TestClient, session: Session) -> None:
    w = world(session)
    old = make_task(session, commitment=w.commitment, title="old")
    fresh = make_task(session, commitment=w.commitment, title="fresh")
    fresh.updated_at = NOW + timedelta(hours=1)
    session.add(fresh)
    session.commit()

    listed = _get(client, w, updated_after="2026-03-02T09:00:00+07:00")

    assert listed == ["fresh"]
    assert old.updated_at == NOW


def test_list_tasks_filters_by_assignee_me_or_id(client: TestClient, session: Session) -> None:
    w = world(session)
    someone = make_user(session, role=Role.contributor)
    make_task(session, commitment=w.commitment, title="mine", assignee=w.user)
    make_task(session, commitment=w.commitment, title="theirs", assignee=someone)
    make_task(session, commitment=w.commitment, title="nobody's")

    assert _get(client, w, assignee="me") == ["mine"]
    assert _get(client, w, assignee=str(someone.id)) == ["theirs"]


def test_list_tasks_text_search_ignores_case_and_handles_indonesian_and_emoji(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    create(client, w, title="Sosialisasi Pencegahan di sekolah")
    create(client, w, title="Hotline", description="Layanan aduan 24 jam 📞 untuk anak")
    create(client, w, title="Diskon 100% untuk_semua")
    create(client, w, title="Laporan tahunan")

    assert _get(client, w, q="PENCEGAHAN") == ["Sosialisasi Pencegahan di sekolah"]
    assert _get(client, w, q="aduan 24") == ["Hotline"]
    assert _get(client, w, q="📞") == ["Hotline"]
    assert _get(client, w, q="100%") == ["Diskon 100% untuk_semua"]
    assert _get(client, w, q="n_s") == []


def test_list_tasks_combines_filters(client: TestClient, session: Session) -> None:
    w = world(session)
    make_task(
        session,
        commitment=w.commitment,
        title="match",
        status=TaskStatus.blocked,
        lead=w.ministry,
        due_date=TODAY + timedelta(days=3),
    )
    make_task(session, commitment=w.commitment, title="wrong status", lead=w.ministry)
    make_task(
        session, commitment=w.commitment, title="wrong owner", status=TaskStatus.blocked, lead=w.ngo
    )

    listed = _get(
        client,
        w,
        plan=w.plan.code,
        organisation=w.ministry.code,
        status=["blocked", "in_progress"],
        schedule="due_soon",
        due_before="2026-03-31",
    )

    assert listed == ["match"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "status.0"),
        ({"status": ["blocked", "paused"]}, "status.1"),
        ({"schedule": "late"}, "schedule.0"),
        ({"due_before": "2027-02-30"}, "due_before"),
        ({"due_after": "yesterday"}, "due_after"),
        ({"updated_after": "2026-03-02T09:00:00"}, "updated_after"),
        ({"updated_after": "2026-13-01T00:00:00Z"}, "updated_after"),
        ({"assignee": "someone"}, "assignee"),
        ({"q": "x" * 201}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
    ],
)
def test_list_tasks_with_bad_filter_is_422_naming_it(
    client: TestClient, session: Session, params: dict[str, Any], field: str
) -> None:
    w = world(session)

    response = client.get(URL, params=params, headers=w.headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert fields(response.json()) == [field]
