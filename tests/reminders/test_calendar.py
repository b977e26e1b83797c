from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.reminders.calendar import WorkingCalendar, send_days, zone

INDONESIA = WorkingCalendar("ID")


@pytest.mark.parametrize(
    ("name", "utc_hour"),
    [
        ("Asia/Jakarta", 2),  # WIB
        ("Asia/Makassar", 1),  # WITA
        ("Asia/Jayapura", 0),  # WIT
        ("Asia/Bangkok", 2),
        ("Asia/Manila", 1),
        ("Asia/Singapore", 1),
    ],
)
def test_reminder_goes_out_at_nine_local(name: str, utc_hour: int) -> None:
    at = INDONESIA.fire_at(date(2026, 3, 3), ZoneInfo(name))

    assert at == datetime(2026, 3, 3, utc_hour, tzinfo=UTC)


def test_yangon_half_hour_zone_is_honoured() -> None:
    at = INDONESIA.fire_at(date(2026, 3, 3), ZoneInfo("Asia/Yangon"))

    assert at == datetime(2026, 3, 3, 2, 30, tzinfo=UTC)


def test_weekend_moves_to_the_friday_before() -> None:
    saturday, sunday, friday = date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 6)

    assert INDONESIA.on_or_before(saturday) == friday
    assert INDONESIA.on_or_before(sunday) == friday


def test_indonesian_holiday_moves_to_the_working_day_before() -> None:
    independence_day = date(2026, 8, 17)  # a Monday

    assert INDONESIA.on_or_before(independence_day) == date(2026, 8, 14)


def test_lebaran_with_joint_leave_moves_back_to_before_the_break() -> None:
    # Nyepi (19 March), Idul Fitri (21-22 March) and the joint leave days around them.
    assert INDONESIA.on_or_before(date(2026, 3, 23)) == date(2026, 3, 17)
    assert INDONESIA.days_sent_on(date(2026, 3, 17)) == [
        date(2026, 3, day) for day in range(17, 25)
    ]


def test_working_day_is_not_moved() -> None:
    assert INDONESIA.on_or_before(date(2026, 3, 4)) == date(2026, 3, 4)
    assert INDONESIA.days_sent_on(date(2026, 3, 4)) == [date(2026, 3, 4)]


def test_days_off_send_nothing_themselves() -> None:
    assert INDONESIA.days_sent_on(date(2026, 3, 7)) == []


def test_plan_may_name_another_countrys_calendar() -> None:
    day_of_valor = date(2026, 4, 9)  # a Philippine holiday, a working Thursday in Indonesia

    assert WorkingCalendar("PH").on_or_before(day_of_valor) == date(2026, 4, 8)
    assert INDONESIA.on_or_before(day_of_valor) == day_of_valor


def test_brunei_weekend_is_friday_and_sunday() -> None:
    brunei = WorkingCalendar("BN")

    assert brunei.on_or_before(date(2026, 2, 13)) == date(2026, 2, 12)  # Friday → Thursday
    assert brunei.is_working_day(date(2026, 2, 14))  # Saturday works


def test_unknown_country_falls_back_to_weekends() -> None:
    nowhere = WorkingCalendar("XX")

    assert nowhere.on_or_before(date(2026, 8, 17)) == date(2026, 8, 17)
    assert nowhere.on_or_before(date(2026, 3, 8)) == date(2026, 3, 6)


def test_send_days_are_the_nine_oclocks_inside_the_window() -> None:
    jakarta = ZoneInfo("Asia/Jakarta")
    since = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # exactly 09:00: already sent

    days = send_days(since, datetime(2026, 3, 4, 2, 0, tzinfo=UTC), jakarta)

    assert days == [date(2026, 3, 3), date(2026, 3, 4)]


def test_short_window_without_nine_oclock_has_no_send_day() -> None:
    since = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

    assert send_days(since, datetime(2026, 3, 2, 3, 1, tzinfo=UTC), ZoneInfo("Asia/Jakarta")) == []


def test_unknown_zone_falls_back() -> None:
    assert zone("Mars/Olympus", "Asia/Jakarta") == ZoneInfo("Asia/Jakarta")
    assert zone(None, "Asia/Makassar") == ZoneInfo("Asia/Makassar")
