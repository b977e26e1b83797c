from datetime import timedelta
from uuid import UUID

import orjson
import pytest
from sqlalchemy import Engine

from app import events
from app.clock import FixedClock
from app.db import unit_of_work
from app.models import DeliveryStatus, ReminderKind, TaskStatus
from tests.conftest import NOW
from tests.reminders.conftest import Run, Team, at_nine
from tests.webhooks.conftest import TASK, Subscribe, Subscription, publish


def _publish_then_fail(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        events.publish(session, events.TASK_UPDATED, TASK, NOW)
        raise RuntimeError("the task write failed")


def test_task_event_writes_a_delivery_in_the_same_transaction(
    subscription: Subscription, db: Engine
) -> None:
    publish(db)
    with pytest.raises(RuntimeError, match="task write failed"):
        _publish_then_fail(db)

    [delivery] = subscription.deliveries()
    assert delivery.event_type == "task.created"
    assert delivery.payload == {"type": "task.created", "timestamp": NOW.isoformat(), "data": TASK}
    assert delivery.status is DeliveryStatus.pending


def test_only_subscribed_events_are_queued(subscribe_receiver: Subscribe, db: Engine) -> None:
    hook = subscribe_receiver("task.status_changed")

    publish(db, events.TASK_CREATED)
    publish(db, events.TASK_STATUS_CHANGED)

    assert [d.event_type for d in hook.deliveries()] == ["task.status_changed"]


def test_reminders_go_to_webhooks_as_task_reminder(subscribe_receiver: Subscribe, run: Run) -> None:
    hook = subscribe_receiver("task.reminder")
    team = Team(hook.session, due=NOW.date() + timedelta(days=7))

    run(NOW)

    [request] = hook.receiver.requests
    body = request.json()
    assert body["type"] == "task.reminder"
    assert body["data"]["reminder"]["kind"] == "before"
    assert body["data"]["reminder"]["offset_days"] == -7
    assert body["data"]["task"]["id"] == str(team.task.id)
    assert body["data"]["commitment"]["code"] == team.commitment.code
    assert body["data"]["plan"]["code"] == team.plan.code
    listed = hook.client.get("/api/v1/reminders", params={"channel": "webhook"}, headers=hook.admin)
    [reminder] = listed.json()["items"]
    assert reminder["status"] == "sent"
    assert reminder["delivery_id"] == str(hook.deliveries()[0].id)


def test_overdue_and_escalation_events(subscribe_receiver: Subscribe, run: Run) -> None:
    hook = subscribe_receiver("task.overdue", "task.escalated")
    due = NOW.date() - timedelta(days=14)
    team = Team(hook.session, due=due)
    team.change(
        team.task, activity_at=NOW - timedelta(days=30), created_at=NOW - timedelta(days=30)
    )

    run(at_nine(NOW.date()))

    kinds = sorted(r.json()["type"] for r in hook.receiver.requests)
    assert kinds == ["task.escalated", "task.overdue"]
    assert {r.kind for r in team.reminders() if r.webhook_id} == {
        ReminderKind.overdue,
        ReminderKind.escalation,
    }


def test_reminder_for_a_task_closed_meanwhile_is_not_delivered(
    subscribe_receiver: Subscribe, run: Run
) -> None:
    hook = subscribe_receiver("task.reminder")
    team = Team(hook.session, due=NOW.date() + timedelta(days=7))
    hook.receiver.status = 500
    run(NOW)
    team.change(team.task, status=TaskStatus.cancelled)
    hook.receiver.status = 200

    run(NOW + timedelta(hours=1))

    assert len(hook.receiver.requests) == 1
    assert {d.status for d in hook.deliveries()} == {DeliveryStatus.cancelled}


def test_task_api_writes_reach_the_receiver_in_order(
    subscribe_receiver: Subscribe, clock: FixedClock, run: Run
) -> None:
    from tests.tasks.support import create, world

    hook = subscribe_receiver("task.created", "task.status_changed")
    w = world(hook.session)
    task = create(hook.client, w)
    clock.advance(timedelta(seconds=1))
    moved = hook.client.post(
        f"/api/v1/tasks/{task['id']}/transitions",
        json={"status": "in_progress"},
        headers={**w.headers, "If-Match": f'"{task["version"]}"'},
    )

    run(clock.now())

    assert moved.status_code == 200, moved.text
    requests = hook.receiver.requests
    assert [r.json()["type"] for r in requests] == ["task.created", "task.status_changed"]
    assert {UUID(r.json()["data"]["task"]["id"]) for r in requests} == {UUID(task["id"])}
    assert orjson.loads(requests[1].body)["data"]["task"]["status"] == "in_progress"
