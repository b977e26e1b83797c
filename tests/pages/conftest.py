"""A plan with one task, the people around it, a real SMTP server, and a browser-like client
that signs in by the e-mailed link."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Organisation, Role, Task, User
from tests.factories import (
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_pillar,
    make_plan,
    make_task,
    make_user,
)
from tests.mailing import settings, smtp
from tests.reminders.servers import Inbox

__all__ = ["settings", "smtp"]
RAISE = bool(__import__("os").environ.get("PAGES_RAISE"))
ORIGIN = "http://testserver"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/sign-in/link\?\S+)")


@pytest.fixture
def app(settings: Settings, clock: FixedClock, db: Engine) -> FastAPI:
    return create_app(settings, clock=clock, engine=db)


@dataclass
class World:
    lead: Organisation
    other: Organisation
    task: Task
    contributor: User
    stranger: User
    coordinator: User


@pytest.fixture
def world(session: Session) -> World:
    lead = make_organisation(session, code="KPPPA")
    other = make_organisation(session, code="KOMDIGI")
    plan = make_plan(session)
    pillar = make_pillar(session, plan=plan)
    commitment = make_commitment(session, plan=plan, pillar=pillar, lead=lead, target_year=2027)
    contributor = make_user(
        session, role=Role.contributor, organisation=lead, email="ayu@example.test"
    )
    stranger = make_user(
        session, role=Role.contributor, organisation=other, email="budi@example.test"
    )
    coordinator = make_user(session, role=Role.coordinator, email="citra@example.test")
    make_coordinator_of(session, plan=plan, user=coordinator)
    task = make_task(session, commitment=commitment, lead=lead, assignee=contributor)
    return World(lead, other, task, contributor, stranger, coordinator)


def link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(1)


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


class Browser:
    """A TestClient that signs in as a person would: asks for a link, opens the e-mail's link,
    presses the button; it sends its forms with this site's Origin."""

    def __init__(self, client: TestClient, inbox: Inbox) -> None:
        self.client = client
        self.inbox = inbox

    def sign_in(self, email: str, next_path: str = "/") -> None:
        asked = self.post("/sign-in", {"email": email, "next": next_path})
        assert asked.status_code == 200, asked.text
        opened = self.client.get(link_in(self.inbox.messages[-1]))
        token = form_value(opened.text, "token")
        signed = self.post("/sign-in/link", {"token": token, "next": next_path})
        assert signed.status_code == 303, signed.text

    def post(self, path: str, data: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            path, data=data, headers={"Origin": ORIGIN, **headers}, follow_redirects=False
        )


@pytest.fixture
def browser(app: FastAPI, smtp: Inbox) -> Iterator[Browser]:
    with TestClient(app, raise_server_exceptions=RAISE, base_url=ORIGIN) as client:
        yield Browser(client, smtp)
