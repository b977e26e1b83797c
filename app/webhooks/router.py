from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import AdminDep
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.http import Page, PageDep, answer, check_if_match, set_next_link, tag_read
from app.models import DeliveryStatus, Webhook, WebhookEvent
from app.outbox.etag import OutboxETagDep
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def _with_secret(response: Response, webhook: Webhook, secret: str) -> WebhookCreated:
    """The answer that shows a secret, the one time it is shown: at creation and rotation."""
    body = WebhookCreated(**service.public(webhook).model_dump(), secret=secret)
    return answer(response, body, service.etag(webhook))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_webhook(
    data: WebhookCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> WebhookCreated:
    """Subscribe a public URL to task events; the answer shows the signing secret, once."""
    webhook, secret = service.create(
        session, data, settings=settings, actor_id=user.id, now=clock.now()
    )
    response.headers["Location"] = str(request.url_for("get_webhook", webhook_id=webhook.id))
    return _with_secret(response, webhook, secret)


@router.get("")
def list_webhooks(
    request: Request,
    response: Response,
    session: SessionDep,
    _user: AdminDep,
    _etag: OutboxETagDep,
    page: PageDep,
) -> Page[WebhookPublic]:
    """Webhooks, oldest first (admin)."""
    items, cursor = service.list_webhooks(session, page)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/{webhook_id}")
def get_webhook(
    webhook_id: str, request: Request, response: Response, session: SessionDep, _user: AdminDep
) -> WebhookPublic:
    """One webhook, without its secret (admin)."""
    webhook = service.get(session, webhook_id)
    tag_read(request, response, service.etag(webhook))
    return service.public(webhook)


@router.patch("/{webhook_id}")
def update_webhook(
    webhook_id: str,
    data: WebhookUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> WebhookPublic:
    """Change the URL, events or description, or enable a disabled webhook; send If-Match."""
    webhook = service.get(session, webhook_id)
    service.check_change(data, settings)
    check_if_match(request, webhook.version, body_version=data.version)
    service.update(session, webhook, data, settings=settings, actor_id=user.id, now=clock.now())
    return answer(response, service.public(webhook), service.etag(webhook))


@router.post("/{webhook_id}/secret")
def rotate_webhook_secret(
    webhook_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    user: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> WebhookCreated:
    """A new signing secret, shown once; the old one signs too for a while. If-Match honoured."""
    webhook = service.get(session, webhook_id)
    check_if_match(request, webhook.version)
    secret = service.rotate_secret(
        session, webhook, settings=settings, actor_id=user.id, now=clock.now()
    )
    return _with_secret(response, webhook, secret)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    webhook_id: str, request: Request, session: SessionDep, user: AdminDep, clock: ClockDep
) -> None:
    """Delete a webhook with its delivery log; If-Match is honoured when sent."""
    webhook = service.get(session, webhook_id)
    check_if_match(request, webhook.version)
    service.delete(session, webhook, actor_id=user.id, now=clock.now())


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    _user: AdminDep,
    _etag: OutboxETagDep,
    page: PageDep,
    status: Annotated[list[DeliveryStatus] | None, Query()] = None,
    event: WebhookEvent | None = None,
) -> Page[DeliveryPublic]:
    """The delivery log of a webhook, oldest first; filter by status (repeatable) or event."""
    webhook = service.get(session, webhook_id)
    items, cursor = service.list_deliveries(
        session, webhook, page, statuses=status or [], event=event
    )
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.post("/{webhook_id}/deliveries/{delivery_id}/replay", status_code=status.HTTP_202_ACCEPTED)
def replay_delivery(
    webhook_id: str, delivery_id: str, session: SessionDep, user: AdminDep, clock: ClockDep
) -> DeliveryPublic:
    """Send a delivery again, with the same webhook-id, at the worker's next pass."""
    webhook = service.get(session, webhook_id)
    row = service.replay(session, webhook, delivery_id, actor_id=user.id, now=clock.now())
    return DeliveryPublic.model_validate(row.model_dump())
