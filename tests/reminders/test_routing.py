from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.models import DeliveryStatus, Locale, ReminderKind, Role, TaskStatus
from tests.conftest import NOW
from tests.factories import make_organisation, make_task, make_user
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Inbox

DUE = date(2026, 4, 21)


def test_assignee_and_lead_contributors_get_it_support_and_viewers_do_not(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    support = make_organisation(session)
    make_user(session, role=Role.contributor, organisation=support, email="sari@example.test")
    make_user(session, role=Role.viewer, organisation=team.lead, email="tono@example.test")
    make_task(session, commitment=team.commitment, lead=support, assignee=None, due_date=DUE)

    run(NOW)

    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "ayu <ayu@example.test>",
        "budi <budi@example.test>",
    ]


def test_new_contributor_of_the_lead_inherits_the_task(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)
    team.change(team.contributor, active=False)  # left the ministry
    make_user(session, role=Role.contributor, organisation=team.lead, email="dewi@example.test")

    run(at_nine(DUE - timedelta(days=7)))

    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == [
        "ayu@example.test",
        "dewi@example.test",
    ]


def test_each_recipient_hears_at_nine_in_their_own_zone(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)
    team.change(team.assignee, time_zone="Asia/Jayapura")  # WIT, UTC+9
    team.change(team.contributor, time_zone="Asia/Makassar")  # WITA, UTC+8
    day = DUE - timedelta(days=7)
    run(at_nine(day - timedelta(days=1), offset_hours=9))  # the worker was up the day before

    at_wit = run(at_nine(day, offset_hours=9))
    at_wita = run(at_nine(day, offset_hours=8))
    at_wib = run(at_nine(day, offset_hours=7))

    assert (at_wit["sent"], at_wita["sent"], at_wib["sent"]) == (1, 1, 0)
    fired = {r.address: r.fire_at for r in team.reminders() if r.point_on == day}
    assert fired == {
        "ayu@example.test": datetime(2026, 4, 14, 0, tzinfo=UTC),
        "budi@example.test": datetime(2026, 4, 14, 1, tzinfo=UTC),
    }


def test_person_without_a_zone_uses_the_plans(session: Session, run: Run) -> None:
    team = Team(session, due=DUE, time_zone="Asia/Makassar")

    run(at_nine(DUE - timedelta(days=7), offset_hours=8))

    assert {r.fire_at for r in team.reminders()} == {datetime(2026, 4, 14, 1, tzinfo=UTC)}


def test_weekend_reminder_goes_out_on_friday(session: Session, run: Run, smtp: Inbox) -> None:
    monday = date(2026, 3, 9)
    team = Team(session, due=monday)

    run(at_nine(date(2026, 3, 6)))  # Friday: the reminder of Sunday, the day before

    assert [(r.kind, r.point_on) for r in team.reminders()][:1] == [
        (ReminderKind.before, date(2026, 3, 8))
    ]
    assert len(smtp.messages) == 2


def test_holiday_reminders_go_out_before_the_break(session: Session, run: Run) -> None:
    team = Team(session, due=date(2026, 3, 20))  # a joint leave day before Idul Fitri

    run(at_nine(date(2026, 3, 16)))
    tally = run(at_nine(date(2026, 3, 17)))

    tuesday = [r for r in team.reminders() if r.fire_at == at_nine(date(2026, 3, 17))]
    # Thursday's reminder (the day before) and Friday's (the day) both fall on Tuesday:
    # one message says it, the latest.
    assert {(r.kind, r.point_on) for r in tuesday} == {(ReminderKind.due, date(2026, 3, 20))}
    assert tally["sent"] == 2


def test_plans_calendar_decides_the_holidays(session: Session, run: Run) -> None:
    team = Team(session, due=date(2026, 4, 16), time_zone="Asia/Manila")
    team.change(team.plan, holiday_country="PH")  # 9 April is a Philippine holiday

    run(at_nine(date(2026, 4, 8), offset_hours=8))

    assert {(r.point_on, r.fire_at.date()) for r in team.reminders()} == {
        (date(2026, 4, 9), date(2026, 4, 8))
    }


def test_escalation_goes_to_coordinators_after_fourteen_days_overdue(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)

    run(at_nine(DUE + timedelta(days=7)))
    run(at_nine(DUE + timedelta(days=14)))

    escalations = [r for r in team.reminders() if r.kind is ReminderKind.escalation]
    assert [(r.address, r.point_on) for r in escalations] == [
        ("citra@example.test", DUE + timedelta(days=14))
    ]
    assert len(smtp.to("citra@example.test")) == 1


def test_progress_update_resets_the_escalation_clock(session: Session, run: Run) -> None:
    team = Team(session, due=DUE)
    updated = at_nine(DUE + timedelta(days=9))
    team.change(team.task, status=TaskStatus.in_progress, activity_at=updated)

    for n in (14, 21, 28):
        run(at_nine(DUE + timedelta(days=n)))

    escalations = [r.point_on for r in team.reminders() if r.kind is ReminderKind.escalation]
    assert escalations == [DUE + timedelta(days=28)]


def test_stale_task_gets_a_nudge_after_the_check_in_period(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)
    team.change(team.task, due_date=None, activity_at=at_nine(date(2026, 3, 4)))

    run(at_nine(date(2026, 4, 2)))
    run(at_nine(date(2026, 4, 3)))

    nudges = {(r.kind, r.point_on, r.series) for r in team.reminders()}
    assert nudges == {(ReminderKind.stale, date(2026, 4, 3), "-")}
    assert len(smtp.messages) == 2


def test_plan_check_in_period_is_used(session: Session, run: Run) -> None:
    team = Team(session, due=DUE)
    team.change(team.plan, reminder_policy={"check_in_days": 10})
    team.change(team.task, due_date=None)

    run(at_nine(NOW.date() + timedelta(days=10)))

    assert {(r.kind, r.point_on) for r in team.reminders()} == {
        (ReminderKind.stale, NOW.date() + timedelta(days=10))
    }


def test_digest_sends_one_message_a_day_listing_everything(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    team.change(team.assignee, digest=True, locale=Locale.id)
    make_task(
        session,
        commitment=team.commitment,
        title="Susun modul literasi digital",
        due_date=NOW.date() + timedelta(days=14),
        assignee=team.assignee,
    )

    run(NOW)

    mine = smtp.to("ayu@example.test")
    assert len(mine) == 1
    assert mine[0]["Subject"] == "[Pantau] 2 tugas memerlukan perhatian Anda"
    body = mine[0].get_body(("plain",))
    assert body is not None
    assert "Susun modul literasi digital" in body.get_content()
    assert "Draft the guideline" in body.get_content()
    digest_ids = {r.digest_id for r in team.reminders() if r.address == "ayu@example.test"}
    assert len(digest_ids) == 1
    assert None not in digest_ids
    statuses = {r.status for r in team.reminders()}
    assert statuses == {DeliveryStatus.sent}
