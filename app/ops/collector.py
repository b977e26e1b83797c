"""Deployment-wide gauges read from the database at scrape time.

The worker's counters (pantau_reminders_total, …) live in the worker's process; the API cannot
see them. What every process shares is the database, so /metrics also reports what the reminder
and webhook_delivery tables hold by status: two GROUP BY queries per scrape, nothing cached.
The names end in `_by_status` because `pantau_reminders` and `pantau_webhook_deliveries` are
already the family names of those counters, and a family may appear only once.
"""

import logging
import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db import unit_of_work
from app.models import Channel, DeliveryStatus
from app.ops import service

logger = logging.getLogger("pantau.metrics")
# Where worker processes keep their metrics for each other (prometheus_client's own variable).
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class DatabaseCollector:
    """A prometheus_client collector over the app's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("pantau_database_up", "1 if this scrape's queries answered, else 0.")
        try:
            with unit_of_work(self.engine, write=False) as session:
                reminders = service.reminder_counts(session)
                deliveries = service.delivery_counts(session)
        except SQLAlchemyError as error:
            # No stale numbers: the by-status gauges are absent until the database is back.
            logger.warning("metrics without the database", extra={"error": type(error).__name__})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield _reminders(reminders)
        yield _deliveries(deliveries)


def _reminders(counts: dict[tuple[Channel, DeliveryStatus], int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "pantau_reminders_by_status",
        "Reminders in the database by channel and status, whichever process moved them.",
        labels=["channel", "status"],
    )
    for channel in Channel:  # every pair, zeros too: a series that vanishes breaks alerts
        for status in DeliveryStatus:
            family.add_metric([channel.value, status.value], counts.get((channel, status), 0))
    return family


def _deliveries(counts: dict[DeliveryStatus, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "pantau_webhook_deliveries_by_status",
        "Webhook deliveries in the database by status, whichever process moved them.",
        labels=["status"],
    )
    for status in DeliveryStatus:
        family.add_metric([status.value], counts.get(status, 0))
    return family


def exposition(engine: Engine) -> bytes:
    """The API's metrics (every worker process's, added up, in multiprocess mode), then the
    deployment's; blocking (it queries the database)."""
    return generate_latest(_processes()) + generate_latest(DatabaseCollector(engine))


def _processes() -> CollectorRegistry:
    if MULTIPROCESS_DIR not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def process_exited() -> None:
    """A worker process ends: its live gauges (SSE clients) leave the sums."""
    if MULTIPROCESS_DIR in os.environ:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
