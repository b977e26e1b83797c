"""Rotating a webhook's signing secret: the new one is shown once, and during the overlap both
the new and the retired secret sign every delivery attempt."""

from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from standardwebhooks import Webhook as Verifier
from standardwebhooks import WebhookVerificationError

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Change, History, Role
from app.outbox import signing
from app.outbox.sender import WebhookSender
from tests.conftest import NOW
from tests.factories import login
from tests.reminders.conftest import Run
from tests.reminders.servers import Received, Receiver
from tests.webhooks.conftest import (
    PUBLIC_KEYS,
    TASK,
    URL,
    Subscription,
    publish,
    subscribe,
    webhook,
)

OVERLAP = timedelta(hours=24)  # PANTAU_WEBHOOK_SECRET_OVERLAP_HOURS's default


def _rotate(hook: Subscription, **headers: str) -> httpx.Response:
    response: httpx.Response = hook.client.post(
        f"{hook.url}/secret", headers={**hook.admin, **headers}
    )
    return response


def _wall_clock() -> datetime:
    """Deliveries checked with the package's `verify` must be stamped near the real time: it
    refuses timestamps more than five minutes away from its own clock. The rotation is then
    placed before it with the injected clock."""
    return datetime.now(UTC).replace(microsecond=0)


def _rotated_before(
    hook: Subscription, clock: FixedClock, delivered_at: datetime, ago: timedelta
) -> str:
    clock.advance(delivered_at - ago - clock.now())
    rotated = _rotate(hook)
    assert rotated.status_code == 200, rotated.text
    return str(rotated.json()["secret"])


def _verifies(secret: str, request: Received, signature: str | None = None) -> bool:
    """As a receiver would check it, with the reference package: one matching signature of
    the header (or the one given) is enough."""
    headers = dict(request.headers)
    if signature is not None:
        headers["webhook-signature"] = signature
    try:
        Verifier(secret).verify(request.body, headers)
    except WebhookVerificationError:
        return False
    return True


def _signers(request: Received, secrets: dict[str, str]) -> list[set[str]]:
    """For each signature of the header, in order, the names of the secrets it verifies with."""
    return [
        {name for name, secret in secrets.items() if _verifies(secret, request, signature)}
        for signature in request.headers["webhook-signature"].split(" ")
    ]


def _send(hook: Subscription, sender: WebhookSender, at: datetime) -> Received:
    """One attempt by the sender, with the secrets the worker reads from the row at `at`."""
    row = hook.row()
    outcome = sender.send(
        url=row.url,
        secret=row.secret,
        retired_secret=signing.retired_secret(row, at),
        message_id=signing.new_message_id(),
        body=orjson.dumps(TASK).decode(),
        at=at,
    )
    assert outcome.ok, outcome.error
    return hook.receiver.requests[-1]


def test_rotate_answers_the_new_secret_once(subscription: Subscription) -> None:
    client, admin = subscription.client, subscription.admin
    old = subscription.created["secret"]

    rotated = _rotate(subscription)

    new = rotated.json()["secret"]
    shown = client.get(subscription.url, headers=admin)
    listed = client.get(URL, headers=admin)
    assert rotated.status_code == 200
    assert set(rotated.json()) == PUBLIC_KEYS | {"secret"}
    assert new.startswith("whsec_")
    assert new != old
    assert (rotated.json()["version"], rotated.headers["etag"]) == (2, '"2-0"')
    assert old not in rotated.text
    assert (set(shown.json()), shown.headers["etag"]) == (PUBLIC_KEYS, '"2-0"')
    for secret in (old, new):
        assert secret not in shown.text
        assert secret not in listed.text


def test_rotation_keeps_the_retired_secret_for_the_overlap(subscription: Subscription) -> None:
    old = subscription.created["secret"]

    new = _rotate(subscription).json()["secret"]

    row = subscription.row()
    assert (row.secret, row.previous_secret) == (new, old)
    assert row.previous_secret_expires_at == NOW + OVERLAP
    assert old not in repr(row)


def test_second_rotation_during_the_overlap_retires_the_current_secret(
    subscription: Subscription, clock: FixedClock
) -> None:
    first = _rotate(subscription).json()["secret"]
    clock.advance(timedelta(hours=1))

    second = _rotate(subscription).json()["secret"]

    row = subscription.row()
    assert (row.secret, row.previous_secret) == (second, first)
    assert row.previous_secret_expires_at == NOW + timedelta(hours=1) + OVERLAP
    assert row.version == 3


def test_overlap_follows_the_setting(
    settings: Settings,
    clock: FixedClock,
    db: Engine,
    session: Session,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    short = settings.model_copy(update={"webhook_secret_overlap_hours": 1.5})
    with TestClient(create_app(short, clock=clock, engine=db)) as client:
        created = subscribe(client, admin, receiver)
        client.post(f"{URL}/{created['id']}/secret", headers=admin)

    row = webhook(session, created["id"])
    assert row.previous_secret_expires_at == NOW + timedelta(minutes=90)


@pytest.mark.parametrize("hours", [0, -1])
def test_overlap_setting_must_be_positive(hours: float) -> None:
    with pytest.raises(ValidationError, match="webhook_secret_overlap_hours"):
        Settings(webhook_secret_overlap_hours=hours, _env_file=None)


def test_rotation_is_recorded_in_history_and_the_change_feed(
    subscription: Subscription,
) -> None:
    rotated = _rotate(subscription)

    row = subscription.row()
    session = subscription.session
    notes = session.exec(select(History).where(col(History.entity_id) == row.id)).all()
    feed = session.exec(
        select(Change).where(col(Change.entity_id) == row.id).order_by(col(Change.seq))
    ).all()
    assert [(n.action, n.actor_id, n.field) for n in notes if n.action != "created"] == [
        ("secret_rotated", row.created_by, None)
    ]
    assert [(c.action, c.version, c.data) for c in feed] == [
        ("created", 1, None),
        ("updated", 2, None),
    ]
    assert rotated.json()["secret"] not in str([n.model_dump() for n in notes])


@pytest.mark.parametrize("role", [Role.coordinator, Role.contributor, Role.viewer])
def test_rotate_is_admin_only_403(subscription: Subscription, role: Role) -> None:
    _, headers = login(subscription.session, role=role)

    response = subscription.client.post(f"{subscription.url}/secret", headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert subscription.row().secret == subscription.created["secret"]


def test_rotate_without_token_is_401(subscription: Subscription) -> None:
    assert subscription.client.post(f"{subscription.url}/secret").status_code == 401


@pytest.mark.parametrize("webhook_id", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_rotate_unknown_webhook_is_404(
    client: TestClient, admin: dict[str, str], webhook_id: str
) -> None:
    response = client.post(f"{URL}/{webhook_id}/secret", headers=admin)

    assert response.status_code == 404
    assert response.json()["detail"] == "No webhook with that identifier."


def test_rotate_with_stale_if_match_is_412_and_keeps_the_secret(
    subscription: Subscription,
) -> None:
    subscription.client.patch(
        subscription.url, json={"description": "moved on"}, headers=subscription.admin
    )

    stale = _rotate(subscription, **{"If-Match": '"1-0"'})
    current = _rotate(subscription, **{"If-Match": '"2-0"'})

    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert current.status_code == 200
    assert subscription.row().previous_secret == subscription.created["secret"]


def test_repeated_rotation_with_one_idempotency_key_rotates_once(
    subscription: Subscription,
) -> None:
    first = _rotate(subscription, **{"Idempotency-Key": "rotate-1"})
    repeat = _rotate(subscription, **{"Idempotency-Key": "rotate-1"})

    assert repeat.json()["secret"] == first.json()["secret"]
    assert repeat.headers["idempotent-replayed"] == "true"
    assert subscription.row().version == 2


def test_during_the_overlap_both_secrets_sign(
    subscription: Subscription, clock: FixedClock, sender: WebhookSender
) -> None:
    old = subscription.created["secret"]
    delivered_at = _wall_clock()
    new = _rotated_before(subscription, clock, delivered_at, OVERLAP - timedelta(seconds=1))

    request = _send(subscription, sender, delivered_at)

    assert _signers(request, {"new": new, "old": old}) == [{"new"}, {"old"}]
    assert _verifies(new, request)
    assert _verifies(old, request)


def test_after_the_overlap_only_the_new_secret_signs(
    subscription: Subscription, clock: FixedClock, sender: WebhookSender
) -> None:
    old = subscription.created["secret"]
    delivered_at = _wall_clock()
    new = _rotated_before(subscription, clock, delivered_at, OVERLAP)

    request = _send(subscription, sender, delivered_at)

    assert _signers(request, {"new": new, "old": old}) == [{"new"}]
    assert _verifies(new, request)
    assert not _verifies(old, request)


def test_worker_signs_with_both_secrets_during_the_overlap(
    subscription: Subscription, clock: FixedClock, db: Engine, run: Run
) -> None:
    old = subscription.created["secret"]
    delivered_at = _wall_clock()
    new = _rotated_before(subscription, clock, delivered_at, timedelta(hours=1))
    publish(db, at=delivered_at)

    run(delivered_at)

    [request] = subscription.receiver.requests
    assert _signers(request, {"new": new, "old": old}) == [{"new"}, {"old"}]


def test_worker_signs_with_the_new_secret_alone_after_the_overlap(
    subscription: Subscription, clock: FixedClock, db: Engine, run: Run
) -> None:
    old = subscription.created["secret"]
    delivered_at = _wall_clock()
    new = _rotated_before(subscription, clock, delivered_at, OVERLAP + timedelta(hours=1))
    publish(db, at=delivered_at)

    run(delivered_at)

    [request] = subscription.receiver.requests
    assert _signers(request, {"new": new, "old": old}) == [{"new"}]
    assert not _verifies(old, request)
