from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select
from standardwebhooks import Webhook as Verifier

from app import events
from app.models import DeliveryStatus, History
from tests.conftest import NOW
from tests.reminders.conftest import Run
from tests.webhooks.conftest import TASK, Subscription, publish


def test_delivery_is_signed_per_standard_webhooks(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    secret = str(subscription.created["secret"])
    publish(db)

    tally = run(NOW)

    [request] = subscription.receiver.requests
    headers = request.headers
    signed_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    expected = Verifier(secret).sign(headers["webhook-id"], signed_at, request.body.decode())
    assert tally["webhook_delivered"] == 1
    assert request.path == "/hooks/pantau"
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    assert signed_at == NOW
    assert headers["webhook-signature"] == expected
    assert request.json()["type"] == "task.created"
    assert request.json()["data"] == TASK


def test_receiver_answering_500_is_retried_with_back_off_then_dead(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    publish(db)
    subscription.receiver.status = 500
    attempts = {"webhook_max_attempts": 3}

    run(NOW, **attempts)
    [first] = subscription.deliveries()
    failed = (first.status, first.attempts, first.next_attempt_at)
    run(NOW + timedelta(seconds=59), **attempts)
    run(NOW + timedelta(seconds=60), **attempts)
    run(NOW + timedelta(seconds=180), **attempts)
    run(NOW + timedelta(days=1), **attempts)

    [dead] = subscription.deliveries()
    assert failed == (DeliveryStatus.failed, 1, NOW + timedelta(seconds=60))
    assert (dead.status, dead.attempts, dead.last_status_code) == (DeliveryStatus.dead, 3, 500)
    assert dead.last_error == "HTTP 500"
    assert len(subscription.receiver.requests) == 3
    assert set(subscription.receiver.ids()) == {dead.message_id}


def test_webhook_is_disabled_after_repeated_failure(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    for _ in range(3):
        publish(db)
    subscription.receiver.status = 503

    tally = run(NOW, webhook_disable_after_failures=2)
    later = run(NOW + timedelta(hours=1), webhook_disable_after_failures=2)

    disabled = subscription.row()
    notes = subscription.session.exec(
        select(History).where(col(History.entity_id) == disabled.id)
    ).all()
    assert not disabled.active
    assert disabled.disabled_reason == "2 consecutive failed attempts"
    assert "disabled" in [n.action for n in notes]
    assert tally["webhook_failed"] == 2
    assert later["webhook_failed"] == 0
    assert len(subscription.receiver.requests) == 2


def test_enabling_again_forgives_the_failures(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    publish(db)
    subscription.receiver.status = 500
    run(NOW, webhook_disable_after_failures=1)
    subscription.receiver.status = 200

    enabled = subscription.client.patch(
        subscription.url, json={"active": True}, headers=subscription.admin
    )
    tally = run(NOW + timedelta(minutes=1))

    assert enabled.json()["consecutive_failures"] == 0
    assert enabled.json()["disabled_at"] is None
    assert tally["webhook_delivered"] == 1
    assert subscription.deliveries()[0].status is DeliveryStatus.sent


def test_replay_sends_again_with_the_same_webhook_id(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    publish(db)
    run(NOW)
    [delivery] = subscription.deliveries()
    url = f"{subscription.url}/deliveries/{delivery.id}/replay"

    replayed = subscription.client.post(url, headers=subscription.admin)
    queued = subscription.client.post(url, headers=subscription.admin)
    run(NOW + timedelta(minutes=1))

    requests = subscription.receiver.requests
    assert replayed.status_code == 202
    assert replayed.json()["status"] == "pending"
    assert queued.status_code == 409
    assert subscription.receiver.ids() == [delivery.message_id, delivery.message_id]
    assert requests[0].body == requests[1].body


def test_replay_of_an_unknown_delivery_is_404(subscription: Subscription) -> None:
    url = f"{subscription.url}/deliveries/00000000-0000-4000-8000-000000000000/replay"

    assert subscription.client.post(url, headers=subscription.admin).status_code == 404


def test_replay_to_a_disabled_webhook_is_409(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    client, admin = subscription.client, subscription.admin
    publish(db)
    run(NOW)
    client.patch(subscription.url, json={"active": False}, headers=admin)
    [delivery] = subscription.deliveries()

    response = client.post(f"{subscription.url}/deliveries/{delivery.id}/replay", headers=admin)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:pantau:problem:conflict"


def test_delivery_log_lists_attempts_and_filters(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    client, admin = subscription.client, subscription.admin
    publish(db, events.TASK_CREATED, NOW - timedelta(seconds=1))
    publish(db, events.TASK_UPDATED)
    run(NOW)
    url = f"{subscription.url}/deliveries"

    log = client.get(url, headers=admin)
    updated = client.get(url, params={"event": "task.updated"}, headers=admin)
    dead = client.get(url, params={"status": "dead"}, headers=admin)

    assert [d["event_type"] for d in log.json()["items"]] == ["task.created", "task.updated"]
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in log.json()["items"]} == {
        ("sent", 1, 200)
    }
    assert [d["event_type"] for d in updated.json()["items"]] == ["task.updated"]
    assert dead.json()["items"] == []
    assert "secret" not in log.text


def test_allowlisted_at_creation_but_refused_at_delivery(
    subscription: Subscription, db: Engine, run: Run
) -> None:
    publish(db)

    tally = run(NOW, webhook_allowlist=[])

    [delivery] = subscription.deliveries()
    assert tally["webhook_failed"] == 1
    assert delivery.status is DeliveryStatus.failed
    assert (delivery.last_error or "").startswith("refused: The host resolves to 127.0.0.1")
    assert subscription.receiver.requests == []
