"""Cross-domain dependencies: the clock, today's date, settings, and the data ETag of GETs."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from app.auth import CurrentUserDep
from app.changes import service as changes_service
from app.clock import Clock, today_of_request
from app.config import Settings
from app.db import SessionDep
from app.http import check_not_modified, request_etag
from app.i18n import locale_of
from app.live.feed import audience_of
from app.models import User

# The dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hop that costs more than the work (docs/decisions/0009).


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_today(request: Request) -> date:
    return today_of_request(request)


async def get_locale(request: Request) -> str:
    return locale_of(request)


TodayDep = Annotated[date, Depends(get_today)]
LocaleDep = Annotated[str, Depends(get_locale)]


def collection_etag(
    connection: HTTPConnection, version: int, today: date, caller: User | None
) -> str:
    """The ETag of a collection read, as the routes (data_etag) and the poll fast path
    (app.dashboard.fastpath) both compute it, so their tags are equal by construction. Of the
    caller it holds only what the answer depends on: the audience its role belongs to (what
    the change feed shows it), and the caller itself where a query names it as `me` (as in
    `?assignee=me`)."""
    query = connection.query_params
    personal = caller is not None and any(value.casefold() == "me" for value in query.values())
    named = str(caller.id) if caller is not None and personal else ""
    return request_etag(connection, version, today, audience_of(caller).value, named)


async def data_etag(request: Request, response: Response, session: SessionDep) -> str:
    """The ETag of a collection; answers 304 before the collection is read when the client
    has it already. Declared after the caller's dependency (CurrentUserDep, or the dashboard's
    reader), which sets request.state.user and the data version its token brought along."""
    # Only an anonymous reader (the public summary) costs a round trip for the version.
    version: int | None = getattr(request.state, "data_version", None)
    if version is None:
        version = await run_in_threadpool(changes_service.current_version, session)
    caller: User | None = getattr(request.state, "user", None)
    return _answer_etag(
        request, response, collection_etag(request, version, today_of_request(request), caller)
    )


async def caller_etag(request: Request, response: Response, caller: CurrentUserDep) -> str:
    """The ETag of a collection whose content is the caller's own (users, tokens): the data
    ETag with the caller in it. The fast path does not answer these routes."""
    version: int = request.state.data_version
    today = today_of_request(request)
    return _answer_etag(request, response, request_etag(request, version, today, str(caller.id)))


def _answer_etag(request: Request, response: Response, etag: str) -> str:
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return etag


DataETagDep = Annotated[str, Depends(data_etag)]
CallerETagDep = Annotated[str, Depends(caller_etag)]
