"""Without an SMTP host, mail goes where the person running Pantau sees it: the log and a
folder of .eml files."""

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session

from app.auth import new_secret
from app.config import Settings
from app.models import DeliveryStatus
from app.reminders.mail import announce, write_to_folder
from tests.reminders.conftest import Run, Team, at_nine
from tests.reminders.servers import Inbox

DUE = date(2026, 4, 21)


@pytest.fixture
def pantau_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    pantau = logging.getLogger("pantau")  # it does not propagate: listen to it directly
    level = pantau.level
    pantau.addHandler(caplog.handler)
    pantau.setLevel(logging.INFO)
    yield caplog
    pantau.removeHandler(caplog.handler)
    pantau.setLevel(level)


def test_a_reminder_lands_in_the_folder_and_the_log_without_smtp(
    session: Session, run: Run, smtp: Inbox, tmp_path: Path, pantau_log: pytest.LogCaptureFixture
) -> None:
    team = Team(session, due=DUE)
    folder = tmp_path / "mail"

    run(at_nine(DUE - timedelta(days=7)), smtp_host=None, mail_folder=str(folder))

    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2  # the assignee and the lead organisation's contributor
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "Draft the guideline" in str(message["Subject"])
    assert f"/tasks/{team.task.id}" in pantau_log.text
    assert smtp.messages == []
    assert {r.status for r in team.reminders()} == {DeliveryStatus.sent}


def test_start_says_where_mail_goes(tmp_path: Path, pantau_log: pytest.LogCaptureFixture) -> None:
    announce(Settings(mail_folder=str(tmp_path / "out"), _env_file=None))
    announce(Settings(smtp_host="mail.example.test", _env_file=None))

    lines = sorted({r.getMessage() for r in pantau_log.records})  # once, from the first only
    assert len(lines) == 1
    assert "PANTAU_SMTP_HOST is not set" in lines[0]
    assert str(tmp_path / "out") in lines[0]


def test_a_sign_in_link_is_written_to_the_file_but_not_to_the_log(
    tmp_path: Path, pantau_log: pytest.LogCaptureFixture
) -> None:
    secret = new_secret("psl_")
    message = EmailMessage()
    message["To"], message["Subject"] = "ayu@example.test", "Sign in"
    message["Message-ID"] = "<m1@pantau.test>"
    message.set_content(f"Open http://127.0.0.1:8000/sign-in/confirm?token={secret}\n")

    path = write_to_folder(tmp_path, message)

    saved = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert secret in saved.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Sign in" in pantau_log.text
    assert secret not in pantau_log.text
    assert secret[:8] in pantau_log.text
