"""The reminder worker: a reminder pass every `worker_interval_seconds` until SIGTERM or SIGINT.

Any number of workers may run against one database: scheduling passes serialise on a row lock,
deliveries are claimed with SKIP LOCKED under a lease (app/outbox/queue.py).
"""

import logging
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from types import FrameType

from prometheus_client import start_http_server
from pydantic_core import PydanticCustomError
from sqlalchemy import Engine

from app import dates
from app.clock import Clock, FixedClock, SystemClock
from app.config import Settings
from app.db import make_engine
from app.ops.logging import configure_logging
from app.outbox.sender import WebhookSender
from app.reminders import service

logger = logging.getLogger("pantau.worker")


def run(engine: Engine, settings: Settings, clock: Clock, stop: threading.Event) -> None:
    """Passes until `stop` is set; a failed pass (the database away, say) is logged and the
    next one tries again."""
    worker = service.worker_name()
    sender = WebhookSender(settings)
    logger.info("worker started", extra={"worker": worker})
    try:
        while not stop.is_set():
            try:
                tally = service.run_once(
                    engine, settings, clock.now(), sender=sender, worker=worker
                )
                if any(tally.values()):
                    logger.info("reminder pass", extra=dict(tally))
            except Exception:
                logger.exception("reminder pass failed")
            stop.wait(settings.worker_interval_seconds)
    finally:
        sender.close()
        logger.info("worker stopped", extra={"worker": worker})


def stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        logger.info("stopping on %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def serve_metrics(settings: Settings) -> None:
    """Prometheus metrics of this process at http://HOST:PORT/metrics, when configured."""
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host)


SUMMARY = (
    "scheduled",
    "sent",
    "failed",
    "dead",
    "cancelled",
    "webhook_delivered",
    "webhook_failed",
)


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant with its zone (2026-03-02T02:00Z); a bare local time is refused."""
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError("give the zone too, e.g. 2026-03-02T09:00+07:00 or …Z")
    try:
        return dates.check_instant(at).astimezone(UTC)
    except PydanticCustomError as error:
        raise ValueError(f"{value}: {error}") from None


def run_pass(settings: Settings, now: datetime | None) -> Counter[str]:
    """`reminders run --once`: one pass at `now` (a fixed clock) or at the present."""
    configure_logging(settings.log_level, settings.log_json)
    clock: Clock = FixedClock(now) if now else SystemClock()
    engine = make_engine(settings.database_url)
    sender = WebhookSender(settings)
    try:
        return service.run_once(engine, settings, clock.now(), sender=sender)
    finally:
        sender.close()
        engine.dispose()


def main(settings: Settings) -> None:
    """`worker`: the loop, with signal handling and metrics, on the system clock."""
    configure_logging(settings.log_level, settings.log_json)
    stop = threading.Event()
    stop_on_signals(stop)
    serve_metrics(settings)
    engine = make_engine(settings.database_url)
    try:
        run(engine, settings, SystemClock(), stop)
    finally:
        engine.dispose()
