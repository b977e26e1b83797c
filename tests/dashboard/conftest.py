"""Dashboard fixtures: a realistic pair of plans, apps with chosen settings, and a real uvicorn
server (an event stream needs one: TestClient buffers whole responses)."""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Commitment, Organisation, Plan, PlanScope, Role, Task, TaskStatus
from tests.factories import (
    login,
    make_commitment,
    make_organisation,
    make_pillar,
    make_plan,
    make_task,
)

AppFactory = Callable[..., FastAPI]


@dataclass
class World:
    """Two plans as a dashboard sees them (NOW is Monday 2 March 2026 in Jakarta)."""

    perpres: Plan
    rpa: Plan
    komdigi: Organisation
    kpai: Organisation
    kemenpppa: Organisation
    prevention: Commitment
    tasks: dict[str, Task]
    headers: dict[str, str]  # a viewer's


@pytest.fixture
def world(session: Session) -> World:
    komdigi = make_organisation(session, code="KOMDIGI")
    kpai = make_organisation(session, code="KPAI")
    kemenpppa = make_organisation(session, code="KEMENPPPA")
    perpres = make_plan(session, code="PERPRES-87-2025")
    prevention_pillar = make_pillar(session, plan=perpres, code="PENCEGAHAN", position=1)
    handling = make_pillar(session, plan=perpres, code="PENANGANAN", position=2)
    make_pillar(session, plan=perpres, code="KOLABORASI", position=3)
    rpa = make_plan(session, code="ASEAN-RPA-2021", scope=PlanScope.regional)
    rpa_pillar = make_pillar(session, plan=rpa, code="RPA-1", position=1)
    prevention = make_commitment(
        session, plan=perpres, pillar=prevention_pillar, code="COP-PREV-01", target_year=2025
    )
    case = make_commitment(
        session, plan=perpres, pillar=handling, code="COP-CASE-01", target_year=2027
    )
    review = make_commitment(session, plan=perpres, code="COP-REVIEW")
    regional = make_commitment(
        session, plan=rpa, pillar=rpa_pillar, code="RPA-1-01", target_year=2025
    )
    spec = {
        "T1": (prevention, TaskStatus.in_progress, 40, date(2026, 2, 20), komdigi, [kpai]),
        "T2": (prevention, TaskStatus.completed, 100, date(2026, 1, 10), komdigi, []),
        "T3": (case, TaskStatus.not_started, 0, date(2026, 3, 5), kemenpppa, []),
        "T4": (case, TaskStatus.blocked, 10, date(2028, 6, 30), kemenpppa, []),
        "T5": (review, TaskStatus.not_started, 0, None, kpai, []),
        "T6": (regional, TaskStatus.cancelled, 20, date(2026, 1, 1), kemenpppa, []),
        "T7": (regional, TaskStatus.in_progress, 60, date(2026, 2, 27), komdigi, []),
    }
    tasks = {}
    for name, (commitment, status, progress, due, lead, support) in spec.items():
        tasks[name] = make_task(
            session,
            commitment=commitment,
            title=f"Task {name}",
            status=status,
            progress=progress,
            due_date=due,
            lead=lead,
            support=support,
        )
    if tasks["T5"].due_date is not None:  # the factory gives tasks a due date by default
        tasks["T5"].due_date = None
        session.add(tasks["T5"])
        session.commit()
    _, headers = login(session, role=Role.viewer)
    return World(perpres, rpa, komdigi, kpai, kemenpppa, prevention, tasks, headers)


@pytest.fixture
def make_app(settings: Settings, clock: FixedClock, db: Engine) -> AppFactory:
    """An app on the test database with some settings changed."""

    def build(**changes: object) -> FastAPI:
        return create_app(settings.model_copy(update=changes), clock=clock, engine=db)

    return build


@pytest.fixture
def open_client() -> Iterator[Callable[[FastAPI], TestClient]]:
    """TestClients for apps built in the test, closed (lifespan ended) afterwards."""
    clients: list[TestClient] = []

    def open_one(app: FastAPI) -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield open_one
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def serve() -> Iterator[Callable[[FastAPI], str]]:
    """Serve apps with a real uvicorn on 127.0.0.1 (in a thread); yields their base URLs."""
    running: list[tuple[FastAPI, uvicorn.Server, threading.Thread]] = []

    def start(app: FastAPI) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        running.append((app, server, thread))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for app, server, thread in running:
        app.state.live.hub.close()  # what SIGTERM does in `pantau serve`
        server.should_exit = True
        thread.join(timeout=10)
