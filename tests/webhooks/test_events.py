from datetime import timedelta
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import events
from app.clock import FixedClock
from app.db import unit_of_work
from app.models import DeliveryStatus, ReminderKind, TaskStatus
from tests.conftest import NOW
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Receiver
from tests.webhooks.conftest import deliveries, subscribe

TASK = {"task": {"id": "7c0e0f3e-1d7a-4c55-9a43-2d7f4bb0c001", "title": "Draft the guideline"}}


def _publish(engine: Engine, event: str = events.TASK_CREATED) -> None:
    with unit_of_work(engine) as session:
        events.publish(session, event, TASK, NOW)


def _publish_then_fail(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        events.publish(session, events.TASK_UPDATED, TASK, NOW)
        raise RuntimeError("the task write failed")


def test_task_event_writes_a_delivery_in_the_same_transaction(
    client: TestClient, admin: dict[str, str], receiver: Receiver, db: Engine, session: Session
) -> None:
    subscribe(client, admin, receiver)

    _publish(db)
    with pytest.raises(RuntimeError, match="task write failed"):
        _publish_then_fail(db)

    [delivery] = deliveries(session)
    assert delivery.event_type == "task.created"
    assert delivery.payload == {"type": "task.created", "timestamp": NOW.isoformat(), "data": TASK}
    assert delivery.status is DeliveryStatus.pending


def test_only_subscribed_events_are_queued(
    client: TestClient, admin: dict[str, str], receiver: Receiver, db: Engine, session: Session
) -> None:
    subscribe(client, admin, receiver, "task.status_changed")

    _publish(db, events.TASK_CREATED)
    _publish(db, events.TASK_STATUS_CHANGED)

    assert [d.event_type for d in deliveries(session)] == ["task.status_changed"]


def test_reminders_go_to_webhooks_as_task_reminder(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    session: Session,
    run: Run,
) -> None:
    subscribe(client, admin, receiver, "task.reminder")
    team = Team(session, due=NOW.date() + timedelta(days=7))

    run(NOW)

    [request] = receiver.requests
    body = request.json()
    assert body["type"] == "task.reminder"
    assert body["data"]["reminder"]["kind"] == "before"
    assert body["data"]["reminder"]["offset_days"] == -7
    assert body["data"]["task"]["id"] == str(team.task.id)
    assert body["data"]["commitment"]["code"] == team.commitment.code
    assert body["data"]["plan"]["code"] == team.plan.code
    listed = client.get("/api/v1/reminders", params={"channel": "webhook"}, headers=admin)
    [reminder] = listed.json()["items"]
    assert reminder["status"] == "sent"
    assert reminder["delivery_id"] == str(deliveries(session)[0].id)


def test_overdue_and_escalation_events(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    session: Session,
    run: Run,
) -> None:
    subscribe(client, admin, receiver, "task.overdue", "task.escalated")
    due = NOW.date() - timedelta(days=14)
    team = Team(session, due=due)
    team.change(
        team.task, activity_at=NOW - timedelta(days=30), created_at=NOW - timedelta(days=30)
    )

    run(at_nine(NOW.date()))

    kinds = sorted(r.json()["type"] for r in receiver.requests)
    assert kinds == ["task.escalated", "task.overdue"]
    assert {r.kind for r in team.reminders() if r.webhook_id} == {
        ReminderKind.overdue,
        ReminderKind.escalation,
    }


def test_reminder_for_a_task_closed_meanwhile_is_not_delivered(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    session: Session,
    run: Run,
) -> None:
    subscribe(client, admin, receiver, "task.reminder")
    team = Team(session, due=NOW.date() + timedelta(days=7))
    receiver.status = 500
    run(NOW)
    team.change(team.task, status=TaskStatus.cancelled)
    receiver.status = 200

    run(NOW + timedelta(hours=1))

    assert len(receiver.requests) == 1
    assert {d.status for d in deliveries(session)} == {DeliveryStatus.cancelled}


def test_task_api_writes_reach_the_receiver_in_order(
    client: TestClient,
    clock: FixedClock,
    admin: dict[str, str],
    receiver: Receiver,
    session: Session,
    run: Run,
) -> None:
    from tests.tasks.support import create, world

    subscribe(client, admin, receiver, "task.created", "task.status_changed")
    w = world(session)
    task = create(client, w)
    clock.advance(timedelta(seconds=1))
    moved = client.post(
        f"/api/v1/tasks/{task['id']}/transitions",
        json={"status": "in_progress"},
        headers={**w.headers, "If-Match": f'"{task["version"]}"'},
    )

    run(clock.now())

    assert moved.status_code == 200, moved.text
    types = [r.json()["type"] for r in receiver.requests]
    assert types == ["task.created", "task.status_changed"]
    assert {UUID(r.json()["data"]["task"]["id"]) for r in receiver.requests} == {UUID(task["id"])}
    assert orjson.loads(receiver.requests[1].body)["data"]["task"]["status"] == "in_progress"
