"""Cross-domain dependencies: the clock, today's date, settings, and the data ETag of GETs."""

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from app.changes import service as changes_service
from app.clock import Clock
from app.config import Settings
from app.db import SessionDep
from app.http import check_not_modified, request_etag
from app.i18n import locale_of

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


def today_of(clock: Clock, settings: Settings) -> date:
    """Today where the plans are run: derived fields such as a task's schedule use this day."""
    return clock.now().astimezone(ZoneInfo(settings.default_time_zone)).date()


async def get_today(clock: ClockDep, settings: SettingsDep) -> date:
    return today_of(clock, settings)


async def get_locale(request: Request) -> str:
    return locale_of(request)


TodayDep = Annotated[date, Depends(get_today)]
LocaleDep = Annotated[str, Depends(get_locale)]


async def data_etag(
    request: Request, response: Response, session: SessionDep, today: TodayDep
) -> str:
    """The ETag of a collection: the data version, the address and the language; answers 304
    before the collection is read when the client has it already."""
    # The caller's token brought the version along (app.auth.current_user); only an anonymous
    # reader (the public summary) costs a round trip of its own.
    version: int | None = getattr(request.state, "data_version", None)
    if version is None:
        version = await run_in_threadpool(changes_service.current_version, session)
    etag = request_etag(request, version, today)
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return etag


DataETagDep = Annotated[str, Depends(data_etag)]
