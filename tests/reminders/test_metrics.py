"""/metrics counts the reminders that real passes wrote, as the API sees them from the database."""

from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from tests.conftest import NOW
from tests.reminders.conftest import Run, Team
from tests.reminders.servers import Inbox


def _reminder_gauges(client: TestClient) -> dict[tuple[str, str], float]:
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    samples = families["pantau_reminders_by_status"].samples
    return {(s.labels["channel"], s.labels["status"]): s.value for s in samples}


def test_metrics_count_reminders_sent_failed_and_dead_by_the_real_pass(
    client: TestClient, session: Session, run: Run, smtp: Inbox
) -> None:
    # Each team's "7 days before" falls on a later 09:00, so each pass sends one team's pair.
    Team(session, due=NOW.date() + timedelta(days=7), tag="a")
    Team(session, due=NOW.date() + timedelta(days=8), tag="b")
    Team(session, due=NOW.date() + timedelta(days=9), tag="c")

    run(NOW)
    run(NOW + timedelta(days=1), smtp_port=1, mail_max_attempts=1)
    run(NOW + timedelta(days=2), smtp_port=1)
    gauges = _reminder_gauges(client)

    assert len(smtp.messages) == 2
    assert {key: value for key, value in gauges.items() if value} == {
        ("email", "sent"): 2,
        ("email", "dead"): 2,
        ("email", "failed"): 2,
    }
