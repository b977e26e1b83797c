from datetime import date, timedelta

from sqlmodel import Session

from app.models import DeliveryStatus, Locale, ReminderKind
from app.reminders import messages
from tests.conftest import NOW
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Inbox

DUE = date(2026, 4, 21)


def _parts(inbox: Inbox, address: str) -> tuple[str, str, str]:
    [message] = inbox.to(address)
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None
    assert html is not None
    return str(message["Subject"]), plain.get_content(), html.get_content()


def test_indonesian_reminder_names_task_commitment_plan_due_date_and_link(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)
    team.change(team.assignee, locale=Locale.id)

    run(at_nine(DUE - timedelta(days=7)))

    subject, plain, html = _parts(smtp, "ayu@example.test")
    assert subject == "[Pantau] Jatuh tempo dalam 7 hari: Draft the guideline"
    link = f"http://127.0.0.1:8000/tasks/{team.task.id}"
    for expected in (
        "Halo ayu,",
        "Draft the guideline",
        f"{team.commitment.code} — {team.commitment.title_id}",
        team.plan.title_id,
        "Selasa, 21 April 2026",
        "belum dimulai, 0%",
        link,
    ):
        assert expected in plain
    assert f'<a href="{link}">' in html
    assert "Selasa, 21 April 2026" in html


def test_english_reminder_for_an_english_reader(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)

    run(at_nine(DUE - timedelta(days=1)))

    subject, plain, _html = _parts(smtp, "budi@example.test")
    assert subject == "[Pantau] Due tomorrow: Draft the guideline"
    assert team.commitment.title_en in plain
    assert team.plan.title_en in plain
    assert "Tuesday 21 April 2026" in plain


def test_message_headers_mark_an_automatic_reminder(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=DUE)

    run(at_nine(DUE - timedelta(days=7)))

    [message] = smtp.to("ayu@example.test")
    [reminder] = [r for r in team.reminders() if r.address == "ayu@example.test"]
    assert message["Message-ID"] == f"<reminder-{reminder.id}@localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "pantau@localhost"


def test_html_escapes_what_people_typed(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=DUE)
    team.change(team.task, title="<script>alert(1)</script> & co")

    run(at_nine(DUE - timedelta(days=7)))

    _subject, _plain, html = _parts(smtp, "ayu@example.test")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_unreachable_smtp_is_retried_with_back_off_then_dead(
    session: Session, run: Run, smtp: Inbox
) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    down = {"smtp_port": 1, "mail_max_attempts": 3}

    run(NOW, **down)
    first = {r.status for r in team.reminders()}
    early = run(NOW + timedelta(seconds=59), **down)
    run(NOW + timedelta(seconds=60), **down)
    run(NOW + timedelta(seconds=180), **down)

    reminders = team.reminders()
    assert first == {DeliveryStatus.failed}
    assert early["failed"] == 0  # 60 s back-off not over yet
    assert {(r.status, r.attempts) for r in reminders} == {(DeliveryStatus.dead, 3)}
    assert all("ConnectionRefusedError" in (r.last_error or "") for r in reminders)
    assert smtp.messages == []


def test_failed_mail_goes_out_when_smtp_is_back(session: Session, run: Run, smtp: Inbox) -> None:
    team = Team(session, due=NOW.date() + timedelta(days=7))
    run(NOW, smtp_port=1)

    tally = run(NOW + timedelta(minutes=1))

    assert tally["sent"] == 2
    assert {(r.status, r.attempts) for r in team.reminders()} == {(DeliveryStatus.sent, 2)}
    assert len(smtp.messages) == 2


def test_phrases_count_from_the_day_it_is_read() -> None:
    item = messages.Item(
        kind=ReminderKind.overdue,
        title="T",
        status="blocked",
        progress=10,
        due_date=DUE,
        activity_on=DUE - timedelta(days=20),
        commitment="C",
        plan="P",
        link="L",
    )
    escalation = messages.Item(**{**item.__dict__, "kind": ReminderKind.escalation})

    assert messages.phrase(item, DUE + timedelta(days=9), "en") == "9 days overdue"
    assert messages.phrase(item, DUE + timedelta(days=9), "id") == "terlambat 9 hari"
    assert (
        messages.phrase(escalation, DUE + timedelta(days=14), "id")
        == "terlambat 14 hari, tanpa pembaruan selama 34 hari"
    )
