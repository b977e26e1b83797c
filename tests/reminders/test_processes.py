"""Worker processes, started as an operator would: concurrency, SIGKILL, SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import events
from app.config import Settings
from app.db import unit_of_work
from app.models import DeliveryStatus, Reminder, Role, WebhookDelivery, WebhookEvent
from app.webhooks import service as webhooks
from app.webhooks.schemas import WebhookCreate
from tests.conftest import NOW
from tests.factories import make_task, make_user
from tests.reminders.conftest import Team
from tests.reminders.servers import WAIT_SECONDS, Inbox, Receiver, free_port

ROOT = Path(__file__).resolve().parents[2]
SMALL_BATCHES = {"PANTAU_REMINDER_BATCH_SIZE": "5", "PANTAU_REMINDER_LEASE_SECONDS": "60"}
LEASE_LATER = (NOW + timedelta(seconds=61)).isoformat()  # the killed worker's lease is over
ROW_LOCKS = "SQLite serialises writers with BEGIN IMMEDIATE; this is about SKIP LOCKED row locks"


def _environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.update(
        PANTAU_DATABASE_URL=settings.database_url,
        PANTAU_SMTP_HOST="127.0.0.1",
        PANTAU_SMTP_PORT=str(settings.smtp_port),
        PANTAU_WEBHOOK_ALLOWLIST="127.0.0.1",
        PANTAU_LOG_JSON="false",
        PANTAU_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _start(settings: Settings, log: Path, *args: str, **extra: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            cwd=ROOT,
            env=_environment(settings, **extra),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _run_once(*at: str) -> tuple[str, ...]:
    return ("reminders", "run", "--once", "--now", *at)


def _subscribe(session: Session, settings: Settings, receiver: Receiver, event: str) -> None:
    webhooks.install()  # as create_app does: task events write webhook outbox rows
    data = WebhookCreate(url=receiver.url, events=[WebhookEvent(event)])
    webhooks.create(session, data, settings=settings, actor_id=make_user(session).id, now=NOW)
    session.commit()


def _forty_tasks_due(session: Session) -> None:
    """Forty tasks due in a week, each with its own assignee, led by budi's organisation."""
    team = Team(session, due=NOW.date() + timedelta(days=7))
    for n in range(39):
        person = make_user(session, role=Role.viewer, email=f"staff{n}@example.test")
        due = NOW.date() + timedelta(days=7)
        make_task(
            session, commitment=team.commitment, lead=team.lead, assignee=person, due_date=due
        )


def _publish(db: Engine, count: int) -> None:
    """`count` task events, a second apart, ending at NOW."""
    for n in range(count):
        with unit_of_work(db) as writing:
            events.publish(writing, "task.created", {"n": n}, NOW - timedelta(seconds=count - n))


def _deliveries(session: Session) -> list[WebhookDelivery]:
    session.commit()  # a fresh snapshot: what the workers committed
    statement = select(WebhookDelivery).order_by(col(WebhookDelivery.created_at))
    return list(session.exec(statement).all())


def _sent(session: Session) -> set[DeliveryStatus]:
    session.commit()
    return {DeliveryStatus(status) for status in session.exec(select(Reminder.status)).all()}


@pytest.mark.postgresql_only
@pytest.mark.slow
def test_three_concurrent_workers_send_each_reminder_once(
    session: Session,
    settings: Settings,
    smtp: Inbox,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip(ROW_LOCKS)
    _forty_tasks_due(session)
    _subscribe(session, settings, receiver, "task.reminder")
    log = tmp_path / "workers.log"

    workers = [
        _start(settings, log, *_run_once(NOW.isoformat()), PANTAU_REMINDER_BATCH_SIZE="4")
        for _ in range(3)
    ]
    codes = [worker.wait(timeout=WAIT_SECONDS) for worker in workers]

    assert codes == [0, 0, 0], log.read_text()
    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(message_ids) == len(set(message_ids)) == 80  # 40 assignees + budi for 40 tasks
    assert len(receiver.ids()) == len(set(receiver.ids())) == 40
    assert _sent(session) == {DeliveryStatus.sent}


@pytest.mark.postgresql_only
@pytest.mark.slow
def test_worker_killed_mid_batch_loses_nothing_and_repeats_only_the_one_in_flight(
    session: Session,
    db: Engine,
    settings: Settings,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip(ROW_LOCKS)
    _subscribe(session, settings, receiver, "task.created")
    _publish(db, 10)
    receiver.hold_at = 4
    log = tmp_path / "worker.log"

    doomed = _start(settings, log, *_run_once(NOW.isoformat()), **SMALL_BATCHES)
    assert receiver.holding.wait(WAIT_SECONDS), log.read_text()
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=WAIT_SECONDS)
    receiver.release.set()
    after_kill = [row.status for row in _deliveries(session)]
    restarted = _start(settings, log, *_run_once(LEASE_LATER), **SMALL_BATCHES)

    assert restarted.wait(timeout=WAIT_SECONDS) == 0, log.read_text()
    assert after_kill == [DeliveryStatus.sent] * 3 + [DeliveryStatus.pending] * 7
    ids = receiver.ids()
    assert (len(ids), len(set(ids))) == (11, 10)
    assert ids.count(ids[3]) == 2  # the one in flight, with the same webhook-id
    rows = _deliveries(session)
    assert {(row.status, row.attempts) for row in rows} == {(DeliveryStatus.sent, 1)}
    assert [row.payload["data"]["n"] for row in rows] == list(range(10))


@pytest.mark.slow
def test_worker_command_delivers_and_stops_on_sigterm(
    session: Session,
    db: Engine,
    settings: Settings,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    _subscribe(session, settings, receiver, "task.created")
    _publish(db, 1)
    port = free_port()
    log = tmp_path / "worker.log"

    worker = _start(
        settings,
        log,
        "worker",
        PANTAU_WORKER_INTERVAL_SECONDS="0.2",
        PANTAU_WORKER_METRICS_PORT=str(port),
    )
    try:
        assert receiver.arrived.wait(WAIT_SECONDS), log.read_text()
        _wait_until_recorded(session)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=WAIT_SECONDS)

    assert code == 0, log.read_text()
    assert len(receiver.requests) == 1
    assert 'pantau_webhook_deliveries_total{outcome="delivered"} 1.0' in metrics


def _wait_until_recorded(session: Session) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        session.commit()
        if session.exec(select(WebhookDelivery.status)).all() == [DeliveryStatus.sent]:
            return
        time.sleep(0.05)  # polling the other process's state, not waiting for time to pass
    pytest.fail("the worker never recorded the delivery")
