"""/metrics: process counters, plus reminders and webhook deliveries counted in the database."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import DeliveryStatus
from tests.factories import make_webhook, make_webhook_delivery
from tests.ops.proxy import TcpProxy
from tests.ops.server import free_port

STATUSES = {status.value for status in DeliveryStatus}


def _families(client: TestClient) -> dict[str, list[Sample]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    families: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(response.text):
        assert family.name not in families, f"{family.name} is exposed twice"
        families[family.name] = family.samples
    return families


def _by_status(samples: list[Sample]) -> dict[str, float]:
    return {sample.labels["status"]: sample.value for sample in samples}


def test_metrics_count_webhook_deliveries_by_status(client: TestClient, session: Session) -> None:
    webhook = make_webhook(session)
    for status in (DeliveryStatus.dead, DeliveryStatus.dead, DeliveryStatus.sent):
        make_webhook_delivery(session, webhook=webhook, status=status)
    make_webhook_delivery(session, webhook=make_webhook(session), status=DeliveryStatus.failed)

    families = _families(client)

    assert _by_status(families["pantau_webhook_deliveries_by_status"]) == {
        "pending": 0,
        "sent": 1,
        "failed": 1,
        "dead": 2,
        "cancelled": 0,
    }
    assert families["pantau_database_up"][0].value == 1


@pytest.mark.usefixtures("db")
def test_metrics_of_an_empty_database_report_every_status_as_zero(client: TestClient) -> None:
    families = _families(client)

    reminders = families["pantau_reminders_by_status"]
    assert {(s.labels["channel"], s.labels["status"]) for s in reminders} == {
        (channel, status) for channel in ("email", "webhook") for status in STATUSES
    }
    assert {s.value for s in reminders} == {0}
    assert _by_status(families["pantau_webhook_deliveries_by_status"]) == dict.fromkeys(STATUSES, 0)


@pytest.mark.usefixtures("db")
def test_metrics_keep_the_process_counters_beside_the_database_gauges(
    client: TestClient,
) -> None:
    client.get("/healthz")

    families = _families(client)

    for name in (
        "pantau_http_requests",
        "pantau_reminders",
        "pantau_webhook_deliveries",
        "pantau_database_up",
        "pantau_reminders_by_status",
    ):
        assert name in families


@pytest.fixture
def statements(db: Engine) -> Iterator[list[str]]:
    """The SQL that the engine runs while the test does."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db, "before_cursor_execute", record)
    yield seen
    event.remove(db, "before_cursor_execute", record)


def test_metrics_scrape_runs_one_group_by_query_per_table(
    client: TestClient, statements: list[str]
) -> None:
    client.get("/metrics")

    counting = [sql for sql in statements if "count(" in sql.lower()]
    assert len(counting) == 2
    assert all("GROUP BY" in sql for sql in counting)
    assert any("FROM reminder " in sql for sql in counting)
    assert any("FROM webhook_delivery " in sql for sql in counting)


def test_metrics_answer_without_the_database_with_database_up_0(
    database_url: str, clock: FixedClock
) -> None:
    unreachable = (
        "sqlite:////nonexistent/dir/pantau.db"
        if database_url.startswith("sqlite")
        else f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/pantau"
    )
    settings = Settings(database_url=unreachable, log_json=False, _env_file=None)
    with TestClient(create_app(settings, clock=clock)) as client:
        client.get("/healthz")
        families = _families(client)

    assert families["pantau_database_up"][0].value == 0
    assert "pantau_reminders_by_status" not in families
    assert "pantau_webhook_deliveries_by_status" not in families
    assert any(s.labels.get("route") == "/healthz" for s in families["pantau_http_requests"])


@pytest.mark.postgresql_only
def test_metrics_follow_an_outage_and_recover_without_restart(
    database_url: str, db: Engine, session: Session, clock: FixedClock
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the outage is staged by a TCP relay in front of PostgreSQL")
    make_webhook_delivery(session, webhook=make_webhook(session), status=DeliveryStatus.dead)
    real = make_url(database_url)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        relayed = real.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        engine = make_engine(relayed)
        settings = Settings(database_url=relayed, log_json=False, _env_file=None)
        with TestClient(create_app(settings, clock=clock, engine=engine)) as client:
            before = _families(client)
            proxy.close()
            down = _families(client)
            proxy.open()
            after = _families(client)
        engine.dispose()

    assert [f["pantau_database_up"][0].value for f in (before, down, after)] == [1, 0, 1]
    assert _by_status(after["pantau_webhook_deliveries_by_status"])["dead"] == 1
    assert "pantau_webhook_deliveries_by_status" not in down
