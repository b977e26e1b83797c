"""An import writes its tasks in bulk statements around the ORM: the summary's rollup follows
them all the same (app.dashboard.tally.following)."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.dashboard import tally
from app.db import unit_of_work
from app.models import OwnerTally, Role, TaskTally
from tests.dashboard.conftest import World
from tests.dashboard.test_rollup import _patch
from tests.exchange.support import csv_file, post_import
from tests.factories import login


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return login(session, role=Role.admin)[1]


def _update(task: Any, **cells: str) -> dict[str, str]:
    return {"id": str(task.id), "version": str(task.version), **cells}


TODAY = date(2026, 3, 2)


def test_summary_after_an_import_equals_the_tasks_counted(
    client: TestClient, world: World, admin: dict[str, str], db: Engine, session: Session
) -> None:
    world.tasks["T1"].slips = 2  # moved twice before: the import takes them to another cell
    session.add(world.tasks["T1"])
    session.commit()
    _patch(client, world.tasks["T4"], admin, priority="high")  # builds the rollup
    world.tasks["T4"].version += 1
    t = world.tasks
    new = {"commitment": "COP-CASE-01", "lead_owner": "KPAI", "support_owners": "KOMDIGI"}
    imports = [
        [{**new, "title": f"Baru {n}", "due_date": f"2026-0{1 + n % 6}-15"} for n in range(30)]
        + [{**new, "title": "Langsung jalan", "status": "in_progress", "progress": "20"}],
        [
            _update(t["T1"], status="completed", note="Selesai"),
            _update(t["T2"], status="in_progress", note="Dibuka lagi"),
        ],
        [
            _update(t["T3"], due_date="2026-02-01", due_date_reason="Dipercepat"),
            _update(t["T5"], due_date="2026-01-31", due_date_reason=""),
        ],
        [_update(t["T4"], lead_owner="KOMDIGI", support_owners="KPAI;KEMENPPPA")],
        [_update(t["T7"], progress="75", due_date="2026-05-29", due_date_reason="Menunggu data")],
    ]

    responses = [post_import(client, admin, csv_file(*rows)) for rows in imports]

    assert [response.status_code for response in responses] == [200] * 5, [
        response.text for response in responses
    ]
    assert responses[0].json()["created"] == 31
    assert sum(response.json()["updated"] for response in responses) == 6
    kept = _cells(db)
    with unit_of_work(db, today=TODAY) as writing:
        tally.recount(writing, TODAY)  # every cell counted again from the tasks
    assert kept == _cells(db)
    assert sum(cell[3] for cell in kept if cell[0] == "task") == 7 + 31
    # T1's two slips for each of its two owners, and T7's new one
    assert sum(cell[-1] for cell in kept if cell[0] == "owner") == 2 * 2 + 1


def _cells(db: Engine) -> list[tuple[Any, ...]]:
    """Every cell of the rollup that counts something."""
    with Session(db) as session:
        tasks: list[tuple[Any, ...]] = [
            (
                "task",
                str(row.commitment_id),
                row.status,
                row.tasks,
                row.progress,
                row.undated,
                row.overdue,
            )
            for row in session.exec(select(TaskTally))
        ]
        owners: list[tuple[Any, ...]] = [
            (
                "owner",
                str(row.organisation_id),
                row.role,
                str(row.commitment_id),
                row.done,
                row.due_year,
                row.tasks,
                row.overdue,
                row.slips,
            )
            for row in session.exec(select(OwnerTally))
        ]
    counting = [cell for cell in tasks if any(cell[3:])]
    counting += [cell for cell in owners if any(cell[6:])]
    return sorted(counting, key=str)
