import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from tests.factories import login
from tests.ops.proxy import TcpProxy

URL = "/api/v1/organisations"
BODY = {"code": "KPAI", "name_en": "KPAI", "name_id": "KPAI", "kind": "agency"}


def test_outage_is_503_with_retry_after_and_recovers_without_restart(
    database_url: str, db: Engine, session: Session, clock: FixedClock
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the outage is staged by a TCP relay in front of PostgreSQL")
    real = make_url(database_url)
    _, headers = login(session)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        relayed = real.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        engine = make_engine(relayed)
        settings = Settings(database_url=relayed, log_json=False, _env_file=None)
        with TestClient(create_app(settings, clock=clock, engine=engine)) as client:
            before = client.get(URL, headers=headers)
            proxy.close()
            read = client.get(URL, headers=headers)
            write = client.post(URL, json=BODY, headers=headers)
            keyed = client.post(URL, json=BODY, headers={**headers, "Idempotency-Key": "k"})
            not_ready = client.get("/readyz")
            proxy.open()
            after = client.get(URL, headers=headers)
            retried = client.post(URL, json=BODY, headers={**headers, "Idempotency-Key": "k"})
            ready = client.get("/readyz")
        engine.dispose()

    assert before.status_code == 200
    for down in (read, write, keyed, not_ready):
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        assert down.json()["type"] == "urn:pantau:problem:service-unavailable"
    assert read.headers["retry-after"] == "5"
    assert (after.status_code, retried.status_code, ready.status_code) == (200, 201, 200)
