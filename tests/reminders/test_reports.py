"""Reminders for reports (issue 12): a commitment's report for a period is owed by the
contributors of its lead organisation, before, on and after the period's due date, with
escalation to the plan's coordinators; exactly once, in each reader's language, quiet once the
report is submitted and owed again once it is returned."""

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import unit_of_work
from app.models import (
    Assessment,
    DeliveryStatus,
    Locale,
    Reminder,
    ReminderKind,
    ReminderSubject,
    Report,
    ReportState,
    Role,
    User,
    WebhookEvent,
)
from app.outbox.sender import WebhookSender
from app.reminders import schedule, service
from app.webhooks import service as webhooks
from app.webhooks.schemas import WebhookCreate
from tests.factories import (
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_plan,
    make_task,
    make_user,
)
from tests.reminders.conftest import Run, at_nine
from tests.reminders.servers import WAIT_SECONDS, Inbox, Receiver
from tests.reminders.test_processes import _run_once, _start

# 2026-S1 (January-June) is due 15 days after its last day: Wednesday 15 July 2026.
PERIOD = "2026-S1"
DUE = date(2026, 7, 15)
CREATED = datetime(2026, 6, 1, tzinfo=UTC)  # the commitment: after 2025-S2's reminders ended
BUDI, SITI, CITRA = "budi@example.test", "siti@example.test", "citra@example.test"


class Reporting:
    """A plan from 2026 reporting by semester, one commitment led by an organisation with an
    English and an Indonesian contributor, and a coordinator."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.plan = make_plan(session, code="RAN-PA")
        self.plan.period_start = date(2026, 1, 1)
        self.lead = make_organisation(session, code="KPPPA")
        self.commitment = make_commitment(session, plan=self.plan, code="RAN-01", lead=self.lead)
        self.commitment.created_at = CREATED
        session.add_all([self.plan, self.commitment])
        make_user(session, role=Role.contributor, organisation=self.lead, email=BUDI)
        make_user(
            session,
            role=Role.contributor,
            organisation=self.lead,
            email=SITI,
            locale=Locale.id,
        )
        make_user(session, role=Role.contributor, email="other@example.test")  # not the lead's
        coordinator = make_user(session, role=Role.coordinator, email=CITRA)
        make_coordinator_of(session, plan=self.plan, user=coordinator)
        session.commit()

    def report(self, state: ReportState) -> Report:
        found = self.session.exec(select(Report)).first()
        report = found or Report(
            plan_id=self.plan.id,
            commitment_id=self.commitment.id,
            period=PERIOD,
            assessment=Assessment.substantial,
            narrative_en="Done.",
        )
        report.state = state
        self.session.add(report)
        self.session.commit()
        return report

    def reminders(self) -> list[Reminder]:
        self.session.commit()
        self.session.expire_all()
        statement = select(Reminder).where(col(Reminder.subject) == ReminderSubject.report)
        return list(self.session.exec(statement.order_by(col(Reminder.fire_at))).all())


def _daily(run: Run, first: date, last: date) -> None:
    day = first
    while day <= last:
        run(at_nine(day))
        day += timedelta(days=1)


def _sent(team: Reporting) -> list[tuple[ReminderKind, date, str | None]]:
    return [
        (r.kind, r.point_on, r.address) for r in team.reminders() if r.status is DeliveryStatus.sent
    ]


def _people(kind: ReminderKind, day: date) -> list[tuple[ReminderKind, date, str | None]]:
    return [(kind, day, BUDI), (kind, day, SITI)]


def test_report_reminders_at_the_policy_offsets_then_escalation(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)

    _daily(run, date(2026, 6, 20), date(2026, 8, 14))

    expected = [
        *_people(ReminderKind.before, date(2026, 7, 1)),
        *_people(ReminderKind.before, date(2026, 7, 8)),
        *_people(ReminderKind.before, date(2026, 7, 14)),
        *_people(ReminderKind.due, DUE),
    ]
    for n in (7, 14, 21, 28):
        expected += _people(ReminderKind.overdue, DUE + timedelta(days=n))
    for n in (14, 21, 28):  # coordinators from 14 days overdue, with the overdue cadence
        expected.append((ReminderKind.escalation, DUE + timedelta(days=n), CITRA))
    assert sorted(_sent(team), key=str) == sorted(expected, key=str)
    assert len(smtp.messages) == len(expected)
    offsets = {(r.kind, r.offset_days) for r in team.reminders() if r.address == BUDI}
    assert offsets == {
        (ReminderKind.before, -14),
        (ReminderKind.before, -7),
        (ReminderKind.before, -1),
        (ReminderKind.due, 0),
        *((ReminderKind.overdue, n) for n in (7, 14, 21, 28)),
    }
    row = team.reminders()[0]
    assert (row.commitment_id, row.period, row.task_id) == (team.commitment.id, PERIOD, None)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_indonesian_contributor_reads_it_in_indonesian_with_the_report_link(
    session: Session, run: Run, smtp: Inbox
) -> None:
    Reporting(session)

    run(at_nine(date(2026, 7, 8)))

    [siti] = smtp.to(SITI)
    [budi] = smtp.to(BUDI)
    link = "http://127.0.0.1:8000/commitments/RAN-01/reports/2026-S1"
    assert siti["Subject"] == "[Pantau] Jatuh tempo dalam 7 hari: Laporan periode 2026-S1: RAN-01"
    assert "Rabu, 15 Juli 2026" in _body(siti)
    assert "belum diisi" in _body(siti)
    assert link in _body(siti)
    assert budi["Subject"] == "[Pantau] Due in 7 days: Report for 2026-S1: RAN-01"
    assert link in _body(budi)
    assert not smtp.to("other@example.test")
    assert not smtp.to(CITRA)


def test_the_reminder_goes_out_at_nine_on_the_working_day_before_a_weekend(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)
    # Quarterly reporting, due 2026-07-19, a Sunday: the day-before reminder (Saturday) and
    # the one on the day go out on Friday 17 July at 09:00 in Jakarta.
    team.plan.reporting_policy = {"cadence": "quarter", "due_days": 19}
    session.add(team.plan)
    session.commit()

    run(at_nine(date(2026, 7, 17)))

    fired = {(r.kind, r.fire_at.astimezone(UTC)) for r in team.reminders()}
    assert fired == {(ReminderKind.due, datetime(2026, 7, 17, 2, tzinfo=UTC))}
    assert {r.period for r in team.reminders()} == {"2026-Q2"}


def test_two_concurrent_workers_send_each_report_reminder_once(
    session: Session, db: Engine, settings: Settings, smtp: Inbox
) -> None:
    team = Reporting(session)
    now = at_nine(DUE + timedelta(days=14))  # overdue reminders and an escalation
    start = threading.Barrier(2)
    tallies: list[Counter[str]] = []

    def worker(name: str) -> None:
        sender = WebhookSender(settings)
        try:
            start.wait()
            tallies.append(service.run_once(db, settings, now, sender=sender, worker=name))
        finally:
            sender.close()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 3  # budi, siti and citra, once each
    assert sum(t["scheduled"] for t in tallies) == sum(t["sent"] for t in tallies) == 3
    assert {r.status for r in team.reminders()} == {DeliveryStatus.sent}


def test_no_reminder_once_the_report_is_submitted_or_accepted(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)
    run(at_nine(date(2026, 7, 1)))
    team.report(ReportState.submitted)
    _daily(run, date(2026, 7, 2), date(2026, 7, 31))
    team.report(ReportState.accepted)
    _daily(run, date(2026, 8, 1), date(2026, 8, 14))

    assert sorted(_sent(team), key=str) == _people(ReminderKind.before, date(2026, 7, 1))
    assert len(smtp.messages) == 2


def test_a_reminder_scheduled_before_submission_is_cancelled_not_sent(
    session: Session, db: Engine, settings: Settings, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)
    now = at_nine(date(2026, 7, 8))
    with unit_of_work(db) as scheduling:
        assert schedule.run(scheduling, settings, now) == 2
    team.report(ReportState.submitted)

    tally = run(now)

    assert (tally["sent"], tally["cancelled"]) == (0, 2)
    assert {r.status for r in team.reminders()} == {DeliveryStatus.cancelled}
    assert {r.last_error for r in team.reminders()} == {"the report is submitted"}
    assert smtp.messages == []


def test_a_returned_report_starts_the_reminders_again(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)
    team.report(ReportState.submitted)
    _daily(run, date(2026, 6, 20), date(2026, 7, 24))
    assert smtp.messages == []

    team.report(ReportState.returned)
    _daily(run, date(2026, 7, 25), date(2026, 7, 29))

    assert sorted(_sent(team), key=str) == sorted(
        [
            *_people(ReminderKind.overdue, DUE + timedelta(days=14)),
            (ReminderKind.escalation, DUE + timedelta(days=14), CITRA),
        ],
        key=str,
    )
    [siti] = smtp.to(SITI)
    assert "dikembalikan untuk diperbaiki" in _body(siti)


def test_report_reminders_reach_webhooks_as_report_events(
    session: Session, settings: Settings, run: Run, receiver: Receiver
) -> None:
    team = Reporting(session)
    events = [WebhookEvent.report_reminder, WebhookEvent.report_escalated]
    data = WebhookCreate(url=receiver.url, events=events)
    webhooks.create(session, data, settings=settings, actor_id=make_user(session).id, now=CREATED)
    session.commit()

    run(at_nine(date(2026, 7, 8)))
    run(at_nine(DUE + timedelta(days=7)))  # report.overdue: not subscribed
    run(at_nine(DUE + timedelta(days=14)))

    first, escalated = (request.json() for request in receiver.requests)
    assert first["type"] == "report.reminder"
    assert first["data"]["report"] == {
        "id": None,
        "period": PERIOD,
        "due_date": "2026-07-15",
        "state": None,
        "url": "http://127.0.0.1:8000/commitments/RAN-01/reports/2026-S1",
    }
    assert first["data"]["reminder"]["offset_days"] == -7
    assert first["data"]["commitment"]["code"] == "RAN-01"
    assert "task" not in first["data"]
    assert escalated["type"] == "report.escalated"
    assert escalated["data"]["plan"]["code"] == team.plan.code


@pytest.mark.slow
def test_two_worker_processes_send_each_report_reminder_once(
    session: Session, settings: Settings, smtp: Inbox, tmp_path: Path
) -> None:
    """As an operator runs them: two `reminders run --once` at one instant, on either
    database (SQLite serialises their writes, PostgreSQL locks the pass row)."""
    team = Reporting(session)
    now = at_nine(DUE + timedelta(days=14)).isoformat()
    log = tmp_path / "workers.log"

    workers = [_start(settings, log, *_run_once(now)) for _ in range(2)]
    codes = [worker.wait(timeout=WAIT_SECONDS) for worker in workers]

    assert codes == [0, 0], log.read_text()
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 3
    assert {r.status for r in team.reminders()} == {DeliveryStatus.sent}


def test_a_person_in_digest_mode_gets_the_report_in_the_days_digest(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Reporting(session)
    siti = session.exec(select(User).where(col(User.email) == SITI)).one()
    siti.digest = True
    session.add(siti)
    make_task(
        session,
        commitment=team.commitment,
        title="Susun pedoman",
        due_date=date(2026, 7, 15),
        lead=team.lead,
    )

    run(at_nine(date(2026, 7, 8)))

    [digest] = smtp.to(SITI)
    assert digest["Subject"] == "[Pantau] 2 tugas memerlukan perhatian Anda"
    body = _body(digest)
    assert "Susun pedoman" in body
    assert "Laporan periode 2026-S1: RAN-01" in body
    assert "http://127.0.0.1:8000/commitments/RAN-01/reports/2026-S1" in body
    assert len(smtp.to(BUDI)) == 2  # not in digest mode: the task and the report apart
