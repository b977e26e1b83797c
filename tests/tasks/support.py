"""Shared arrangements of the task tests: a catalogue to hang tasks on, and request bodies."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Commitment, Organisation, Pillar, Plan, Role, Task, User
from tests.factories import (
    login,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_pillar,
    make_plan,
)

URL = "/api/v1/tasks"


@dataclass
class World:
    plan: Plan
    pillar: Pillar
    commitment: Commitment
    ministry: Organisation
    ngo: Organisation
    user: User
    headers: dict[str, str]


def world(session: Session, *, role: Role = Role.coordinator) -> World:
    """A plan with a pillar and a commitment, two organisations and a logged-in user (a
    coordinator coordinates the plan)."""
    plan = make_plan(session)
    pillar = make_pillar(session, plan=plan)
    commitment = make_commitment(session, plan=plan, pillar=pillar)
    ministry = make_organisation(session)
    ngo = make_organisation(session)
    user, headers = login(session, role=role)
    if role is Role.coordinator:
        make_coordinator_of(session, plan=plan, user=user)
    return World(plan, pillar, commitment, ministry, ngo, user, headers)


def task_body(w: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "commitment": w.commitment.code,
        "title": "Draft the reporting guideline",
        "due_date": "2026-06-30",
        "owners": [{"organisation": w.ministry.code, "role": "lead"}],
    }
    return {**body, **changes}


def create(client: TestClient, w: World, **changes: Any) -> dict[str, Any]:
    response = client.post(URL, json=task_body(w, **changes), headers=w.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def if_match(headers: dict[str, str], task: Task | dict[str, Any]) -> dict[str, str]:
    version = task["version"] if isinstance(task, dict) else task.version
    return {**headers, "If-Match": f'"{version}"'}


def fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem.get("errors", [])]


def stored(session: Session, task_id: object) -> Task:
    """The task as the database has it now (not the test session's cached copy)."""
    task = session.get(Task, UUID(str(task_id)), populate_existing=True)
    assert task is not None
    return task


def move(
    client: TestClient,
    task_id: object,
    headers: dict[str, str],
    status: str,
    note: str | None = None,
) -> Any:
    return client.post(
        f"{URL}/{task_id}/transitions", json={"status": status, "note": note}, headers=headers
    )
