from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic.json_schema import SkipJsonSchema

from app.auth import CurrentUserDep, bearer_secret, current_user, hash_secret
from app.dashboard import service, stream
from app.dashboard.schemas import Summary
from app.db import SessionDep
from app.deps import DataETagDep, LocaleDep, SettingsDep, TodayDep
from app.errors import Invalid
from app.http import Page, set_next_link
from app.i18n import N_
from app.live import feed
from app.live.schemas import ChangePublic
from app.models import User
from app.organisations import service as organisations

STATIC = Path(__file__).parent / "static"
MAX_SEQ = 2**63 - 1

router = APIRouter(tags=["dashboard"])

Responses = dict[int | str, dict[str, Any]]
READ: Responses = {401: {"description": "No valid token (and the dashboard is not public)"}}
# One server-sent event: `data` is a ChangePublic as JSON, `id` its seq; comments are heartbeats.
EVENT = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "id": {"type": "string"},
        "event": {"type": "string"},
    },
}
Code = Annotated[str | None, Query(min_length=1, max_length=120)]
Seq = Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="The last seq seen.")]


async def reader(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The caller; None for an anonymous reader when PANTAU_PUBLIC_DASHBOARD is set."""
    if settings.public_dashboard and bearer_secret(request) is None:
        return None
    return await current_user(request, session)


ReaderDep = Annotated[User | None, Depends(reader)]


@router.get("/summary", responses=READ)
def get_summary(
    session: SessionDep,
    reader: ReaderDep,
    _etag: DataETagDep,
    today: TodayDep,
    locale: LocaleDep,
    plan: Code = None,
    organisation: Code = None,
) -> Summary:
    """A whole dashboard in one call: counts by plan, pillar, status and schedule, completion,
    overdue and slipped work by organisation, the most overdue and the next deadlines."""
    organisation = organisations.own(organisation, reader)
    scope = service.scope_for(session, today, plan=plan, organisation=organisation)
    return service.summary(session, scope, locale=locale)


@router.get("/changes", responses=READ)
def list_changes(
    request: Request,
    response: Response,
    session: SessionDep,
    user: CurrentUserDep,
    _etag: DataETagDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="The last seq seen.")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ChangePublic]:
    """Every create, update and delete after `after`, in commit order (deletes have null data)."""
    audience = feed.audience_of(user)
    items, cursor = feed.page(session, after=after, limit=limit, audience=audience)
    set_next_link(request, response, cursor, param="after")
    return Page(items=items, next_cursor=cursor)


def _last_event_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit() or int(value) > MAX_SEQ:
        message = N_("Last-Event-ID must be the seq of a change (a whole number).")
        raise Invalid("Last-Event-ID", message)
    return int(value)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={**READ, 200: {"content": {"text/event-stream": {"schema": EVENT}}}},
)
def stream_events(
    request: Request,
    user: ReaderDep,
    settings: SettingsDep,
    after: Seq = None,
    last_event_id: Annotated[
        str | SkipJsonSchema[None],
        Header(max_length=40, json_schema_extra={"pattern": "^[0-9]{0,18}$"}),
    ] = None,
) -> StreamingResponse:
    """The change feed as Server-Sent Events (`id:` = seq); resume with Last-Event-ID or
    `after`, else it starts now. A comment line is sent as a heartbeat."""
    live = request.app.state.live
    resume = _last_event_id(last_event_id)
    start = resume if resume is not None else after
    secret = bearer_secret(request)
    body = stream.events(
        live.hub,
        after=start if start is not None else stream.start_position(live.watcher),
        audience=feed.audience_of(user),
        token_hash=hash_secret(secret) if secret else None,
        heartbeat_seconds=settings.events_heartbeat_seconds,
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


# The page runs only its own script and talks only to this origin.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
