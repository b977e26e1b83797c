import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from tests.databases import migrated_database, wipe
from tests.logleaks import KEY, LeakFinder

LEAKS = LeakFinder()
WORKER_LEAKS: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    LEAKS.install()


def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller: a worker has finished; keep what its records gave away."""
    WORKER_LEAKS.extend(getattr(node, "workeroutput", {}).get(KEY, []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No log record of the run may hold a secret (tests/logleaks.py)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: the controller judges
        output[KEY] = LEAKS.leaks
        return
    leaks = LEAKS.leaks + WORKER_LEAKS
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = "\n".join(leaks[:20])
        message = f"log records hold secrets ({len(leaks)}):\n{lines}"
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# A Monday morning in Jakarta (09:00 WIB).
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _database_name() -> str:
    # Unique per process: several test runs may share one PostgreSQL server at once.
    return f"pantau_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database built by `alembic upgrade head`, once per run and kind."""
    directory: Path = tmp_path_factory.mktemp("db")
    with migrated_database(request.param, directory, _database_name()) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after the test."""
    yield engine
    wipe(engine)


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    """A session for arranging and checking; factories commit so the app sees their rows."""
    with Session(db, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        mail_folder=str(tmp_path / "mail"),  # no SMTP host: mail goes there
        evidence_folder=str(tmp_path / "evidence"),
        _env_file=None,
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock, db: Engine) -> FastAPI:
    return create_app(settings, clock=clock, engine=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
