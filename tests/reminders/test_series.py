from datetime import date, timedelta
from threading import Event

from sqlalchemy import Engine
from sqlmodel import Session, delete

from app.config import Settings
from app.db import unit_of_work
from app.models import Channel, DeliveryStatus, ReminderKind, ReminderPass, TaskStatus
from app.outbox.sender import WebhookSender
from app.reminders import delivery, schedule
from tests.conftest import NOW
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Inbox

DUE = date(2026, 4, 21)  # a Tuesday, with working days around each reminder


def _daily(run: Run, first: date, last: date) -> None:
    """A worker that wakes at 09:00 Jakarta every day."""
    day = first
    while day <= last:
        run(at_nine(day))
        day += timedelta(days=1)


def test_series_for_one_task_across_its_life(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)
    team.change(team.plan, reminder_policy={"check_in_days": 0})

    _daily(run, NOW.date(), date(2026, 5, 20))
    team.change(team.task, status=TaskStatus.completed, progress=100)
    _daily(run, date(2026, 5, 21), date(2026, 6, 10))

    sent = [(r.kind, r.point_on, r.address) for r in team.reminders()]
    people = ["ayu@example.test", "budi@example.test"]
    expected = [
        *((ReminderKind.before, DUE - timedelta(days=n), a) for n in (14, 7, 1) for a in people),
        *((ReminderKind.due, DUE, a) for a in people),
        *((ReminderKind.overdue, DUE + timedelta(days=7), a) for a in people),
    ]
    for n in (14, 21, 28):
        expected += [(ReminderKind.overdue, DUE + timedelta(days=n), a) for a in people]
        expected.append((ReminderKind.escalation, DUE + timedelta(days=n), "citra@example.test"))
    assert sorted(sent, key=str) == sorted(expected, key=str)
    assert {r.status for r in team.reminders()} == {DeliveryStatus.sent}
    assert len(smtp.messages) == len(expected)


def test_rerun_at_the_same_instant_sends_nothing_twice(
    session: Session, run: Run, smtp: Inbox
) -> None:
    Team(session, due=NOW.date() + timedelta(days=7))

    first = run(NOW)
    again = run(NOW)
    session.exec(delete(ReminderPass))  # even with the pass forgotten, the unique key holds
    session.commit()
    forgotten = run(NOW)

    assert (first["scheduled"], first["sent"]) == (2, 2)
    assert (again["scheduled"], again["sent"]) == (0, 0)
    assert (forgotten["scheduled"], forgotten["sent"]) == (0, 0)
    assert len(smtp.messages) == 2


def test_after_downtime_only_the_latest_missed_reminder_goes_out(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)

    run(at_nine(DUE - timedelta(days=25)))  # then down for five weeks
    tally = run(at_nine(DUE + timedelta(days=10)), reminder_catch_up_days=60)

    kinds = {(r.kind, r.point_on) for r in team.reminders()}
    assert kinds == {(ReminderKind.overdue, DUE + timedelta(days=7))}
    assert tally["sent"] == 2  # the assignee and the lead's contributor, once each
    assert len(smtp.messages) == 2


def test_moved_due_date_starts_a_new_series(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)
    run(at_nine(DUE - timedelta(days=14)))

    team.change(team.task, due_date=DUE + timedelta(days=14))
    run(at_nine(DUE - timedelta(days=7)))
    run(at_nine(DUE))

    series = {(r.series, r.kind, r.point_on) for r in team.reminders()}
    assert series == {
        (DUE.isoformat(), ReminderKind.before, DUE - timedelta(days=14)),
        ((DUE + timedelta(days=14)).isoformat(), ReminderKind.before, DUE),
    }
    assert len(smtp.messages) == 4


def test_completed_and_cancelled_tasks_stay_quiet(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    done = Team(session, due=NOW.date() + timedelta(days=7), tag="-done")
    dropped = Team(session, due=NOW.date() + timedelta(days=7), tag="-dropped")
    done.change(done.task, status=TaskStatus.completed, progress=100)
    dropped.change(dropped.task, status=TaskStatus.cancelled)

    run(NOW)

    assert {r.task_id for r in team.reminders()} == {team.task.id}
    assert len(smtp.messages) == 2


def test_task_closed_after_scheduling_is_cancelled_not_sent(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    run(NOW, smtp_port=1)  # nothing listens there: the reminders wait for a retry
    team.change(team.task, status=TaskStatus.completed, progress=100)

    tally = run(NOW + timedelta(hours=1))

    statuses = {r.status for r in team.reminders()}
    assert statuses == {DeliveryStatus.cancelled}
    assert tally["cancelled"] == 2
    assert smtp.messages == []


def test_task_policy_no_reminders_silences_it(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    team.change(team.task, reminder_policy={"enabled": False})

    run(NOW)

    assert team.reminders() == []
    assert smtp.messages == []


def test_plan_policy_replaces_the_offsets(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)
    team.change(team.plan, reminder_policy={"before_days": [3], "check_in_days": 0})

    for n in (14, 7, 3, 1):
        run(at_nine(DUE - timedelta(days=n)))

    points = {(r.kind, r.point_on) for r in team.reminders()}
    assert points == {(ReminderKind.before, DUE - timedelta(days=3))}


def test_task_policy_overrides_the_plan(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)
    team.change(team.plan, reminder_policy={"enabled": False})
    team.change(team.task, reminder_policy={"enabled": True, "before_days": [2]})

    run(at_nine(DUE - timedelta(days=7)))
    run(at_nine(DUE - timedelta(days=2)))

    points = {(r.kind, r.point_on) for r in team.reminders()}
    assert points == {(ReminderKind.before, DUE - timedelta(days=2))}


def test_only_open_channel_rows_exist_for_email_recipients(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    team.change(team.assignee, email="someone@pantau.invalid")

    run(NOW)

    reminders = team.reminders()
    assert [r.address for r in reminders] == ["budi@example.test"]
    assert {r.channel for r in reminders} == {Channel.email}
    assert [str(m["To"]) for m in smtp.messages] == ["budi <budi@example.test>"]


def test_worker_asked_to_stop_claims_no_more(
    session: Session, db: Engine, settings: Settings, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    with unit_of_work(db) as scheduling:
        schedule.run(scheduling, settings, NOW)
    stop = Event()
    stop.set()

    sender = WebhookSender(settings)
    tally = delivery.deliver(db, settings, NOW, worker="test", sender=sender, stop=stop)
    sender.close()

    assert tally["sent"] == 0
    assert {(r.status, r.claimed_until) for r in team.reminders()} == {
        (DeliveryStatus.pending, None)
    }
    assert smtp.messages == []
