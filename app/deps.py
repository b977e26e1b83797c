"""Cross-domain dependencies: the clock, today's date, settings, and the data ETag of GETs."""

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response

from app.changes import service as changes_service
from app.clock import Clock
from app.config import Settings
from app.db import SessionDep
from app.http import check_not_modified, request_etag
from app.i18n import locale_of


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def today_of(clock: Clock, settings: Settings) -> date:
    """Today where the plans are run: derived fields such as a task's schedule use this day."""
    return clock.now().astimezone(ZoneInfo(settings.default_time_zone)).date()


def get_today(clock: ClockDep, settings: SettingsDep) -> date:
    return today_of(clock, settings)


TodayDep = Annotated[date, Depends(get_today)]
LocaleDep = Annotated[str, Depends(locale_of)]


def data_etag(request: Request, response: Response, session: SessionDep, today: TodayDep) -> str:
    """The ETag of a collection: the data version, the address and the language; answers 304
    before the collection is read when the client has it already."""
    etag = request_etag(request, changes_service.current_version(session), today)
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return etag


DataETagDep = Annotated[str, Depends(data_etag)]
