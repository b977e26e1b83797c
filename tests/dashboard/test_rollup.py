"""The summary read from the rollup (app.dashboard.tally) equals the summary counted from the
tasks, whatever was written, by whom, and on which day it is read."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, insert
from sqlmodel import Session, col, select

from app.changes import service as changes
from app.clock import FixedClock
from app.dashboard import tally
from app.db import unit_of_work
from app.models import OwnerRole, Role, TallyDay, Task, TaskOwner, TaskStatus, TaskTally
from tests.dashboard.conftest import World
from tests.factories import login, make_task

URL = "/api/v1/summary"
TASKS = "/api/v1/tasks"


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return login(session, role=Role.admin)[1]


# Due-date moves made before the rollup is built: T1 (KOMDIGI leads, KPAI supports), T2 and
# T7 (KOMDIGI); the build counts them, every write after it moves them.
SLIPS = {"T1": 2, "T2": 1, "T7": 1}


@pytest.fixture
def built(client: TestClient, world: World, admin: dict[str, str], session: Session) -> World:
    """The world, with some slips, after its first task write through the API, which builds
    the rollup."""
    for name, slips in SLIPS.items():
        world.tasks[name].slips = slips
        session.add(world.tasks[name])
    session.commit()
    _patch(client, world.tasks["T4"], admin, priority="high")
    return world


def _patch(client: TestClient, task: Task, headers: dict[str, str], **fields: Any) -> None:
    etag = client.get(f"{TASKS}/{task.id}", headers=headers).headers["etag"]
    response = client.patch(
        f"{TASKS}/{task.id}", json=fields, headers={**headers, "If-Match": etag}
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def statements(db: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]).lower())

    event.listen(db, "before_cursor_execute", record)
    yield seen
    event.remove(db, "before_cursor_execute", record)


def _read_both_ways(
    client: TestClient, session: Session, headers: dict[str, str], **params: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The summary from the rollup, then counted from the tasks (the rollup's day forgotten)."""
    stored = client.get(URL, headers=headers, params=params).json()
    anchor = session.get(TallyDay, tally.SCOPE)
    assert anchor is not None, "the rollup is not built"
    day = anchor.day
    assert day is not None
    session.delete(anchor)
    session.commit()
    counted = client.get(URL, headers=headers, params=params).json()
    session.add(TallyDay(scope=tally.SCOPE, day=day))
    session.commit()
    return stored, counted


def test_first_task_write_builds_the_rollup(
    client: TestClient, world: World, admin: dict[str, str], session: Session
) -> None:
    before = session.get(TallyDay, tally.SCOPE)

    _patch(client, world.tasks["T4"], admin, priority="high")

    session.rollback()  # end the transaction that read `before`: read what the app committed
    anchor = session.get(TallyDay, tally.SCOPE)
    assert before is None
    assert anchor is not None
    assert anchor.day == date(2026, 3, 2)
    assert sum(row.tasks for row in session.exec(select(TaskTally))) == 7


def test_summary_from_the_rollup_equals_the_tasks_counted(
    client: TestClient, built: World, session: Session, statements: list[str]
) -> None:
    stored = client.get(URL, headers=built.headers).json()
    read = list(statements)

    _, counted = _read_both_ways(client, session, built.headers)

    assert stored == counted
    assert {row["code"]: row["slips"] for row in stored["organisations"]} == {
        "KOMDIGI": 4,
        "KPAI": 2,
        "KEMENPPPA": 0,
    }
    assert any("from task_tally" in statement for statement in read)
    assert any("from owner_tally" in statement for statement in read)
    assert not any("task.slips" in statement for statement in read)  # not from the tasks


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda w: ("POST", "/transitions", "T1", {"status": "completed"}), id="done"),
        pytest.param(
            lambda w: ("POST", "/transitions", "T3", {"status": "in_progress"}), id="start"
        ),
        pytest.param(
            lambda w: ("PATCH", "", "T7", {"due_date": "2025-12-01", "due_date_reason": "Moved"}),
            id="due-date",
        ),
        pytest.param(
            lambda w: ("PATCH", "", "T1", {"due_date": "2026-06-30", "due_date_reason": "Later"}),
            id="slip",
        ),
        pytest.param(
            lambda w: ("PATCH", "", "T3", {"due_date": None, "due_date_reason": "Open-ended"}),
            id="undated",
        ),
        pytest.param(lambda w: ("PATCH", "", "T1", {"progress": 90}), id="progress"),
        pytest.param(
            lambda w: (
                "PATCH",
                "",
                "T1",
                {
                    "owners": [
                        {"organisation": "KPAI", "role": "lead"},
                        {"organisation": "KEMENPPPA", "role": "support"},
                    ]
                },
            ),
            id="owners",
        ),
        pytest.param(lambda w: ("DELETE", "", "T2", None), id="delete"),
    ],
)
def test_rollup_follows_every_write(
    client: TestClient,
    built: World,
    admin: dict[str, str],
    session: Session,
    write: Callable[[World], tuple[str, str, str, dict[str, Any] | None]],
) -> None:
    method, suffix, name, body = write(built)
    task = built.tasks[name]
    etag = client.get(f"{TASKS}/{task.id}", headers=admin).headers["etag"]
    note = {"note": "Selesai"} if suffix else {}
    response = client.request(
        method,
        f"{TASKS}/{task.id}{suffix}",
        json={**body, **note} if body is not None else None,
        headers={**admin, "If-Match": etag},
    )

    stored, counted = _read_both_ways(client, session, built.headers)

    assert response.status_code in (200, 204), response.text
    assert stored == counted


def test_rollup_follows_a_new_task(
    client: TestClient, built: World, admin: dict[str, str], session: Session
) -> None:
    body = {
        "commitment": built.prevention.code,
        "title": "Kampanye literasi digital",
        "due_date": "2026-03-04",
        "owners": [
            {"organisation": "KPAI", "role": "lead"},
            {"organisation": "KOMDIGI", "role": "support"},
        ],
    }
    created = client.post(TASKS, json=body, headers=admin)

    stored, counted = _read_both_ways(client, session, built.headers)

    assert created.status_code == 201
    assert stored == counted
    assert stored["totals"]["by_schedule"]["due_soon"] == 2


def test_rollup_follows_writes_that_bypass_the_api(
    client: TestClient, built: World, session: Session
) -> None:
    make_task(
        session,
        commitment=built.prevention,
        status=TaskStatus.blocked,
        due_date=date(2024, 6, 1),
        lead=built.kemenpppa,
        support=[built.komdigi],
    )
    task = session.get(Task, built.tasks["T7"].id)
    assert task is not None
    task.status, task.due_date = TaskStatus.completed, None
    session.add(task)
    slipped = session.get(Task, built.tasks["T4"].id)  # a change of its slips alone
    assert slipped is not None
    slipped.slips = 3
    session.add(slipped)
    session.commit()

    stored, counted = _read_both_ways(client, session, built.headers)

    assert stored == counted
    assert stored["totals"]["tasks"] == 8
    assert {row["code"]: row["slips"] for row in stored["organisations"]}["KEMENPPPA"] == 3


@pytest.mark.parametrize("days", [1, 4, 40, 400, -3])
def test_summary_of_a_later_day_equals_the_tasks_counted(
    client: TestClient, built: World, session: Session, clock: FixedClock, days: int
) -> None:
    clock.advance(timedelta(days=days))

    stored, counted = _read_both_ways(client, session, built.headers)

    assert stored == counted
    assert stored["today"] == str(date(2026, 3, 2) + timedelta(days=days))


def test_first_write_of_a_day_moves_the_rollup_on(
    client: TestClient, built: World, admin: dict[str, str], session: Session, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=5))

    _patch(client, built.tasks["T4"], admin, priority="low")

    session.rollback()
    anchor = session.get(TallyDay, tally.SCOPE)
    assert anchor is not None
    moved_to = anchor.day
    stored, counted = _read_both_ways(client, session, built.headers)
    assert moved_to == date(2026, 3, 7)
    assert stored == counted
    assert stored["totals"]["by_schedule"]["overdue"] == 3  # T3, due on 5 March, joined


@pytest.mark.parametrize("scope", [{"plan": "PERPRES-87-2025"}, {"plan": "ASEAN-RPA-2021"}])
def test_summary_of_a_plan_from_the_rollup_equals_the_tasks_counted(
    client: TestClient, built: World, session: Session, clock: FixedClock, scope: dict[str, str]
) -> None:
    clock.advance(timedelta(days=2))

    stored, counted = _read_both_ways(client, session, built.headers, **scope)

    assert stored == counted
    assert stored["totals"]["tasks"] > 0


def test_summary_of_an_owner_is_counted_from_the_tasks(
    client: TestClient, built: World, statements: list[str]
) -> None:
    body = client.get(URL, headers=built.headers, params={"organisation": "KPAI"}).json()

    assert body["totals"]["tasks"] == 2
    assert [row["code"] for row in body["organisations"]] == ["KPAI", "KOMDIGI"]
    assert not any("task_tally" in statement for statement in statements)


def test_rebuild_counts_what_a_bulk_load_added(
    client: TestClient, built: World, session: Session, db: Engine
) -> None:
    task = Task(commitment_id=built.prevention.id, title="Loaded", due_date=date(2026, 1, 5))
    with db.begin() as connection:  # around the ORM, as a bulk load does
        connection.execute(insert(Task).values(**task.model_dump()))
        owner = {"task_id": task.id, "organisation_id": built.kpai.id, "role": OwnerRole.lead}
        connection.execute(insert(TaskOwner).values(**owner))
    missed = client.get(URL, headers=built.headers).json()["totals"]["tasks"]

    with unit_of_work(db) as writing:
        tally.recount(writing, date(2026, 3, 2))
    client.app.state.live.watcher.refresh()  # type: ignore[attr-defined]  # as within a second
    stored, counted = _read_both_ways(client, session, built.headers)

    assert missed == 7
    assert stored == counted
    assert stored["totals"]["tasks"] == 8


def test_recount_command_counts_the_bulk_load_and_moves_the_data_version(
    client: TestClient, built: World, session: Session, db: Engine, database_url: str
) -> None:
    task = Task(commitment_id=built.prevention.id, title="Loaded", due_date=date(2026, 1, 5))
    with db.begin() as connection:
        connection.execute(insert(Task).values(**task.model_dump()))
    before = changes.current_version(session)
    session.commit()  # ends the read: SQLite refuses a write from a snapshot older than a commit
    env = {**os.environ, "PANTAU_DATABASE_URL": database_url, "PANTAU_LOG_JSON": "false"}

    result = subprocess.run(
        [sys.executable, "-m", "app", "summary", "recount"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    client.app.state.live.watcher.refresh()  # type: ignore[attr-defined]
    stored, counted = _read_both_ways(client, session, built.headers)

    assert (result.returncode, result.stdout) == (0, "summary recounted\n"), result.stderr
    assert changes.current_version(session) == before + 1
    assert stored == counted
    assert stored["totals"]["tasks"] == 8


def test_change_of_title_or_priority_leaves_the_rollup_alone(
    client: TestClient, built: World, admin: dict[str, str], statements: list[str]
) -> None:
    _patch(client, built.tasks["T1"], admin, title="Pedoman literasi", priority="critical")

    assert not any("insert into task_tally" in statement for statement in statements)
    assert not any("insert into owner_tally" in statement for statement in statements)


def test_owner_rows_of_a_deleted_task_go_with_it(
    client: TestClient, built: World, admin: dict[str, str], session: Session
) -> None:
    task = built.tasks["T1"]
    etag = client.get(f"{TASKS}/{task.id}", headers=admin).headers["etag"]

    client.delete(f"{TASKS}/{task.id}", headers={**admin, "If-Match": etag})

    owners = session.exec(select(TaskOwner).where(col(TaskOwner.task_id) == task.id)).all()
    assert owners == []
