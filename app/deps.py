"""Cross-domain dependencies: the clock, today's date, settings, and the data ETag of GETs."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from app.auth import CurrentUserDep
from app.changes import service as changes_service
from app.clock import Clock, today_of_request
from app.config import Settings
from app.db import SessionDep
from app.http import collection_etag, request_etag, tag_read
from app.i18n import locale_of
from app.models import User
from app.storage import Store

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


async def data_etag(request: Request, response: Response, session: SessionDep) -> str:
    """The ETag of a collection; answers 304 before the collection is read when the client
    has it already. Declared after the caller's dependency (CurrentUserDep, or the dashboard's
    reader), which sets request.state.user and the data version its token brought along."""
    # Only an anonymous reader (the public summary) costs a round trip for the version.
    version: int | None = getattr(request.state, "data_version", None)
    if version is None:
        version = await run_in_threadpool(changes_service.current_version, session)
    caller: User | None = getattr(request.state, "user", None)
    etag = collection_etag(request, version, today_of_request(request), caller)
    return tag_read(request, response, etag)


async def caller_etag(request: Request, response: Response, caller: CurrentUserDep) -> str:
    """The ETag of a collection whose content is the caller's own (users, tokens): the data
    ETag with the caller in it. The fast path does not answer these routes."""
    version: int = request.state.data_version
    today = today_of_request(request)
    etag = request_etag(request, version, today.isoformat(), str(caller.id))
    return tag_read(request, response, etag)


DataETagDep = Annotated[str, Depends(data_etag)]
CallerETagDep = Annotated[str, Depends(caller_etag)]


async def get_store(request: Request) -> Store:
    """The evidence store the app was made with (app.storage.store_of its settings)."""
    store: Store = request.app.state.evidence_store
    return store


StoreDep = Annotated[Store, Depends(get_store)]
