from datetime import date, timedelta

import pytest

from app.models import ReminderKind
from app.reminders.policy import (
    DEFAULT,
    Point,
    Policy,
    activity_days_to_check,
    due_dates_to_check,
    due_points,
    effective,
    escalation_points,
    stale_points,
)

DUE = date(2026, 4, 21)
K = ReminderKind


def _days(n: int) -> date:
    return DUE + timedelta(days=n)


def test_defaults_are_designs() -> None:
    assert effective(None, None) == Policy(
        enabled=True,
        before_days=(14, 7, 1),
        on_due_date=True,
        overdue_every_days=7,
        escalate_after_days=14,
        check_in_days=30,
    )


def test_plan_override_then_task_override_key_by_key() -> None:
    policy = effective({"before_days": [3, 10], "check_in_days": 0}, {"overdue_every_days": 2})

    assert policy.before_days == (10, 3)
    assert policy.check_in_days == 0
    assert policy.overdue_every_days == 2
    assert policy.escalate_after_days == 14


def test_task_can_switch_its_reminders_off() -> None:
    assert not effective(None, {"enabled": False}).enabled


def test_task_can_switch_them_back_on_under_a_silent_plan() -> None:
    assert effective({"enabled": False}, {"enabled": True}).enabled


@pytest.mark.parametrize(
    "override",
    [{"before_days": [0]}, {"unknown": 1}, {"overdue_every_days": -1}, {"enabled": "maybe"}],
)
def test_invalid_override_is_ignored(override: dict[str, object]) -> None:
    assert effective(override, None) == DEFAULT


def test_due_points_of_the_default_policy() -> None:
    points = due_points(DEFAULT, DUE, _days(-30), _days(22))

    assert points == [
        Point(_days(-14), K.before),
        Point(_days(-7), K.before),
        Point(_days(-1), K.before),
        Point(DUE, K.due),
        Point(_days(7), K.overdue),
        Point(_days(14), K.overdue),
        Point(_days(21), K.overdue),
    ]


def test_due_points_only_inside_the_range() -> None:
    assert due_points(DEFAULT, DUE, _days(-7), _days(-7)) == [Point(_days(-7), K.before)]
    assert due_points(DEFAULT, DUE, _days(70), _days(70)) == [Point(_days(70), K.overdue)]


def test_no_overdue_repeats_when_switched_off() -> None:
    policy = effective(None, {"overdue_every_days": 0})

    assert due_points(policy, DUE, _days(1), _days(60)) == []


def test_escalation_from_fourteen_days_overdue_with_the_overdue_cadence() -> None:
    points = escalation_points(DEFAULT, DUE, DUE - timedelta(days=60), _days(0), _days(28))

    assert points == [Point(_days(n), K.escalation) for n in (14, 21, 28)]


def test_activity_resets_the_escalation_clock() -> None:
    updated = _days(9)

    points = escalation_points(DEFAULT, DUE, updated, _days(0), _days(35))

    assert points == [Point(_days(n), K.escalation) for n in (28, 35)]


def test_escalation_switched_off() -> None:
    policy = effective(None, {"escalate_after_days": 0})

    assert escalation_points(policy, DUE, _days(-90), _days(0), _days(60)) == []


def test_stale_nudges_every_check_in_period_after_the_last_update() -> None:
    updated = date(2026, 1, 1)

    points = stale_points(DEFAULT, updated, date(2026, 1, 1), date(2026, 3, 31))

    assert points == [Point(date(2026, 1, 31), K.stale), Point(date(2026, 3, 2), K.stale)]


def test_due_dates_to_check_cover_every_kind() -> None:
    today = date(2026, 4, 7)

    dates = due_dates_to_check({DEFAULT}, {today}, earliest=date(2026, 3, 1))

    assert {today + timedelta(days=n) for n in (14, 7, 1, 0)} <= dates
    assert today - timedelta(days=14) in dates  # escalation
    assert {today - timedelta(days=7 * k) for k in range(1, 6)} <= dates  # overdue
    assert today - timedelta(days=3) not in dates
    assert min(dates) >= date(2026, 3, 1)


def test_activity_days_to_check_are_check_in_multiples_back() -> None:
    today = date(2026, 4, 7)

    days = activity_days_to_check({DEFAULT}, {today}, earliest=date(2026, 1, 1))

    assert days == {today - timedelta(days=30 * k) for k in (1, 2, 3)}
