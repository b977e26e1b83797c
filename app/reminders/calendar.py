"""The working calendar: reminders go out at 09:00 local time on working days. Pure."""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

logger = logging.getLogger("pantau.reminders")

SEND_AT = time(9, 0)
# Longer than any run of days off (Lebaran with its joint holidays is about a week).
MAX_SHIFT_DAYS = 31
SATURDAY_SUNDAY = frozenset({5, 6})


@lru_cache(maxsize=256)
def _holidays(country: str, year: int, categories: tuple[str, ...]) -> holidays.HolidayBase | None:
    """The country's days off in a year (public, and joint leave where the calendar has it)."""
    try:
        supported = holidays.country_holidays(country).supported_categories
    except NotImplementedError:
        logger.warning("no holiday calendar for %s: weekends only", country)
        return None
    wanted = tuple(c for c in categories if c in supported) or ("public",)
    return holidays.country_holidays(country, years=year, categories=wanted)


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The named zone, or the fallback when the name is missing or unknown."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                logger.warning("unknown time zone %r", candidate)
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class WorkingCalendar:
    country: str = "ID"
    categories: tuple[str, ...] = ("public", "government")

    def is_working_day(self, day: date) -> bool:
        days_off = _holidays(self.country.upper(), day.year, self.categories)
        weekend = days_off.weekend if days_off is not None else SATURDAY_SUNDAY
        return day.weekday() not in weekend and (days_off is None or day not in days_off)

    def on_or_before(self, day: date) -> date:
        """The day itself, or the working day before it when it is a weekend or holiday."""
        for back in range(MAX_SHIFT_DAYS):
            candidate = day - timedelta(days=back)
            if self.is_working_day(candidate):
                return candidate
        return day

    def days_sent_on(self, working_day: date) -> list[date]:
        """The days whose reminders go out on `working_day`: itself and the days off after it."""
        if not self.is_working_day(working_day):
            return []
        days = [working_day]
        for ahead in range(1, MAX_SHIFT_DAYS):
            candidate = working_day + timedelta(days=ahead)
            if self.is_working_day(candidate):
                break
            days.append(candidate)
        return days

    def fire_at(self, day: date, where: ZoneInfo) -> datetime:
        """09:00 in `where` on the day, or on the working day before it: as a UTC instant."""
        return datetime.combine(self.on_or_before(day), SEND_AT, tzinfo=where).astimezone(UTC)


def send_days(since: datetime, now: datetime, where: ZoneInfo) -> list[date]:
    """The local days whose 09:00 in `where` lies in (since, now]."""
    first = since.astimezone(where).date() - timedelta(days=1)
    last = now.astimezone(where).date()
    days = []
    day = first
    while day <= last:
        if since < datetime.combine(day, SEND_AT, tzinfo=where) <= now:
            days.append(day)
        day += timedelta(days=1)
    return days
