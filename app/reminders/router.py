from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from app.auth import CurrentUserDep
from app.db import SessionDep
from app.http import Page, PageDep, set_next_link
from app.models import Channel, DeliveryStatus
from app.outbox.etag import OutboxETagDep
from app.reminders import service
from app.reminders.schemas import ReminderPublic

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.get("")
def list_reminders(
    request: Request,
    response: Response,
    session: SessionDep,
    user: CurrentUserDep,
    _etag: OutboxETagDep,
    page: PageDep,
    task: UUID | None = None,
    status: Annotated[list[DeliveryStatus] | None, Query()] = None,
    channel: Channel | None = None,
    recipient: Annotated[str | None, Query(max_length=320)] = None,
) -> Page[ReminderPublic]:
    """Reminders and their delivery state; filter by task, status, channel or recipient (or me)."""
    items, cursor = service.list_reminders(
        session,
        page,
        viewer=user,
        task=task,
        statuses=status or [],
        channel=channel,
        recipient=recipient,
    )
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)
