"""The one clock: code asks it for the time, tests hand in a fixed one."""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from starlette.requests import HTTPConnection

from app.config import Settings


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def utc_now() -> datetime:
    return datetime.now(UTC)


def today_of(clock: Clock, settings: Settings) -> date:
    """Today where the plans are run: derived fields such as a task's schedule use this day."""
    return clock.now().astimezone(ZoneInfo(settings.default_time_zone)).date()


def today_of_request(connection: HTTPConnection) -> date:
    """Today by the application's clock (app.state.clock, set by app.main.create_app)."""
    return today_of(connection.app.state.clock, connection.app.state.settings)
