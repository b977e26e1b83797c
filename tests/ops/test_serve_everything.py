"""One command runs everything on the embedded default: `pantau serve` on SQLite sends the
reminders that are due, to the mail folder when no SMTP server is configured."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role
from tests.factories import make_commitment, make_organisation, make_task, make_user
from tests.ops.server import serve

pytestmark = pytest.mark.slow
MAIL_TIMEOUT = 30.0


def _wait_for_mail(folder: Path) -> list[Path]:
    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml"))
        if found:
            return found
        time.sleep(0.1)  # waiting for another process's first pass, not for app time
    return []


def test_serve_on_sqlite_sends_a_due_reminder_to_the_mail_folder(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the in-process worker is the embedded default's (SQLite)")
    lead = make_organisation(session)
    person = make_user(session, role=Role.contributor, organisation=lead, email="dewi@example.test")
    yesterday = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=1)
    make_task(
        session,
        commitment=make_commitment(session, lead=lead),
        due_date=yesterday,
        lead=lead,
        assignee=person,
    )

    with serve(database_url, tmp_path, PANTAU_LOG_JSON="false") as server:
        mail = _wait_for_mail(tmp_path / "mail")
        log = server.stop()

    assert mail, log
    assert "dewi@example.test" in mail[0].read_text()
    assert "PANTAU_SMTP_HOST is not set" in log
    assert "worker started" in log


def test_serve_with_the_worker_turned_off_runs_none(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the in-process worker is the embedded default's (SQLite)")
    lead = make_organisation(session)
    person = make_user(session, role=Role.contributor, organisation=lead)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    make_task(
        session,
        commitment=make_commitment(session, lead=lead),
        due_date=yesterday,
        lead=lead,
        assignee=person,
    )

    with serve(
        database_url, tmp_path, PANTAU_SERVE_WORKER="false", PANTAU_LOG_JSON="false"
    ) as server:
        log = server.stop()

    assert "worker started" not in log
    assert not (tmp_path / "mail").exists()
