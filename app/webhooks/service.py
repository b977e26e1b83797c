from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlmodel import Session, col, select

from app import audit, events
from app.config import Settings
from app.errors import Conflict, Invalid, NotFound
from app.history import service as history
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import DeliveryStatus, Reminder, Webhook, WebhookDelivery, WebhookEvent
from app.outbox import queue, signing, ssrf
from app.webhooks.schemas import DeliveryPublic, WebhookCreate, WebhookPublic, WebhookUpdate

ENTITY = "webhook"
TRACKED = ("url", "description", "events", "active")


def check_url(url: str, settings: Settings) -> str:
    """422 unless the URL is http(s) and resolves to public (or allow-listed) addresses only."""
    try:
        ssrf.check(url, settings.webhook_allowlist)
    except ssrf.Refused as refused:
        raise Invalid("url", refused.message, address=refused.address) from None
    return url


def _uuid(value: str, entity: str) -> UUID:
    """An id that is not a UUID names nothing: 404, as for tasks."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(entity) from None


def get(session: Session, webhook_id: str) -> Webhook:
    webhook = session.get(Webhook, _uuid(webhook_id, ENTITY))
    if webhook is None:
        raise NotFound(ENTITY)
    return webhook


def etag(webhook: Webhook) -> str:
    """The version (what If-Match compares) and the failure count the worker moves."""
    return f'"{webhook.version}-{webhook.consecutive_failures}"'


def public(webhook: Webhook) -> WebhookPublic:
    return WebhookPublic.model_validate(webhook.model_dump())


def list_webhooks(session: Session, page: PageParams) -> tuple[list[WebhookPublic], str | None]:
    key = [col(Webhook.created_at), col(Webhook.id)]
    rows, cursor = paginate(session, select(Webhook), key, page)
    return [public(row) for row in rows], cursor


def _written(
    session: Session,
    webhook: Webhook,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """History, the change feed and the collection version of a webhook write. The feed
    carries no URL: webhooks are an admin's business, the feed is every reader's."""
    audit.record(
        session,
        entity=ENTITY,
        entity_id=webhook.id,
        action=action,
        version=webhook.version,
        data=None,
        actor_id=actor_id,
        now=now,
        changed=changed,
    )
    queue.touched(session)


def create(
    session: Session, data: WebhookCreate, *, settings: Settings, actor_id: UUID, now: datetime
) -> tuple[Webhook, str]:
    """The new webhook and its secret: the only time the secret leaves the database."""
    check_url(data.url, settings)
    secret = signing.new_secret()
    webhook = Webhook(
        url=data.url,
        description=data.description,
        events=[event.value for event in data.events],
        secret=secret,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(webhook)
    session.flush()
    _written(session, webhook, "created", actor_id=actor_id, now=now)
    return webhook, secret


def check_change(data: WebhookUpdate, settings: Settings) -> None:
    """Refuse (422) a target no version makes acceptable, before the precondition (412)."""
    if data.url is not None:
        check_url(data.url, settings)


def update(
    session: Session,
    webhook: Webhook,
    data: WebhookUpdate,
    *,
    settings: Settings,
    actor_id: UUID,
    now: datetime,
) -> Webhook:
    check_change(data, settings)
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    if fields.get("events") is not None:
        fields["events"] = [WebhookEvent(e).value for e in fields["events"]]
    current = {name: getattr(webhook, name) for name in TRACKED}
    changed = history.diff(current, {k: v for k, v in fields.items() if v is not None})
    if not changed:
        return webhook
    for name, (_old, new) in changed.items():
        setattr(webhook, name, new)
    if changed.get("active", (None, False))[1]:
        # Enabled again by a person: failures so far are forgiven.
        webhook.consecutive_failures = 0
        webhook.disabled_at = webhook.disabled_reason = None
    webhook.version += 1
    webhook.updated_at = now
    session.add(webhook)
    _written(session, webhook, "updated", actor_id=actor_id, now=now, changed=changed)
    return webhook


def rotate_secret(
    session: Session, webhook: Webhook, *, settings: Settings, actor_id: UUID, now: datetime
) -> str:
    """A new secret, the only time it leaves the database. The one it replaces still signs
    beside it until the overlap ends; a rotation during an overlap drops the older one."""
    secret = signing.new_secret()
    webhook.previous_secret, webhook.secret = webhook.secret, secret
    webhook.previous_secret_expires_at = now + timedelta(
        hours=settings.webhook_secret_overlap_hours
    )
    webhook.version += 1
    webhook.updated_at = now
    session.add(webhook)
    _written(session, webhook, "secret_rotated", actor_id=actor_id, now=now)
    return secret


def delete(session: Session, webhook: Webhook, *, actor_id: UUID, now: datetime) -> None:
    """Deletes the webhook with its delivery log and its pending deliveries."""
    _written(session, webhook, "deleted", actor_id=actor_id, now=now)
    session.delete(webhook)
    session.flush()


def list_deliveries(
    session: Session,
    webhook: Webhook,
    page: PageParams,
    *,
    statuses: list[DeliveryStatus],
    event: WebhookEvent | None,
) -> tuple[list[DeliveryPublic], str | None]:
    """The delivery log, oldest first (the cursor follows it forward)."""
    statement = select(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook.id)
    if statuses:
        statement = statement.where(col(WebhookDelivery.status).in_(statuses))
    if event is not None:
        statement = statement.where(col(WebhookDelivery.event_type) == event.value)
    key = [col(WebhookDelivery.created_at), col(WebhookDelivery.id)]
    rows, cursor = paginate(session, statement, key, page)
    return [DeliveryPublic.model_validate(row.model_dump()) for row in rows], cursor


def replay(
    session: Session, webhook: Webhook, delivery_id: str, *, actor_id: UUID, now: datetime
) -> WebhookDelivery:
    """Queues a delivery again, with the same webhook-id and a fresh set of attempts."""
    row = session.get(WebhookDelivery, _uuid(delivery_id, "delivery"))
    if row is None or row.webhook_id != webhook.id:
        raise NotFound("delivery")
    if not webhook.active:
        raise Conflict(
            N_("The webhook is disabled; enable it (PATCH active=true) before replaying.")
        )
    leased = row.claimed_until is not None and row.claimed_until > now
    if leased or (row.status is DeliveryStatus.pending and row.attempts == 0):
        raise Conflict(N_("This delivery is still queued; it will be sent without a replay."))
    row.status, row.attempts, row.next_attempt_at = DeliveryStatus.pending, 0, now
    row.last_error = row.sent_at = None
    row.updated_at = now
    session.add(row)
    reminder = session.get(Reminder, row.reminder_id) if row.reminder_id else None
    if reminder is not None:
        reminder.status, reminder.attempts, reminder.next_attempt_at = row.status, 0, now
        session.add(reminder)
    history.record(
        session,
        entity="webhook_delivery",
        entity_id=row.id,
        action="replayed",
        actor_id=actor_id,
        at=now,
    )
    queue.touched(session)
    return row


def enqueue(
    session: Session, webhook: Webhook, event_type: str, data: dict[str, Any], now: datetime
) -> WebhookDelivery:
    row = WebhookDelivery(
        id=uuid4(),
        webhook_id=webhook.id,
        event_type=event_type,
        message_id=signing.new_message_id(),
        payload=signing.envelope(event_type, data, now),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    return row


def on_event(session: Session, published: Sequence[events.Event], now: datetime) -> tuple[str, ...]:
    """Writes an outbox row per event and listening webhook in the caller's transaction: the
    delivery exists if and only if the task change commits. Gives the outbox's version scope
    when it wrote any, for the publisher to move (events.settle), and reads no event when no
    webhook listens (a bulk write's payloads may be decoded on demand)."""
    active = session.exec(select(Webhook).where(col(Webhook.active))).all()
    if not active:
        return ()
    enqueued = False
    for event_type, payload in published:
        for webhook in active:
            if event_type in webhook.events:
                enqueue(session, webhook, event_type, payload, now)
                enqueued = True
    if not enqueued:
        return ()
    session.flush()
    return (queue.SCOPE,)


def install() -> None:
    """Subscribes the webhook outbox to task events (idempotent)."""
    events.subscribe(on_event)
