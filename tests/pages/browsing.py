"""Headless Chromium (Debian's, driven by Playwright) on a real uvicorn serving the pages, with
a real SMTP server: what the browser tests share."""

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from tests.reminders.servers import Inbox

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SERIOUS = {"serious", "critical"}
Serve = Callable[[Callable[[str], FastAPI]], str]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the page tests")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def serve_pages() -> Iterator[Serve]:
    """Serve an app built for its own URL (links in e-mails point at it) with uvicorn in a
    thread on a free port of 127.0.0.1; yields the URL."""
    running: list[tuple[uvicorn.Server, threading.Thread, FastAPI]] = []

    def start(build: Callable[[str], FastAPI]) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = build(url)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)  # waiting for a thread to bind, not for app time
        running.append((server, thread, app))
        return url

    yield start
    for server, thread, app in running:
        app.state.live.hub.close()
        server.should_exit = True
        thread.join(timeout=10)


def links_in(message: EmailMessage, url: str) -> list[str]:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return re.findall(re.escape(url) + r"/\S+", body.get_content())


def wait_for_mail(inbox: Inbox, count: int) -> EmailMessage:
    """The count-th message: the mail goes after the answer, from the server's thread."""
    deadline = time.monotonic() + 10
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, "no mail came"
        time.sleep(0.02)  # waiting for another thread's send, not for app time
    return inbox.messages[count - 1]


def sign_in(page: Page, url: str, inbox: Inbox, email: str, start: str = "/sign-in") -> None:
    """As a person: the form, the e-mail's link, the button."""
    page.goto(url + start)
    page.get_by_label("E-mail address").fill(email)
    sent = len(inbox.messages)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    [link] = links_in(wait_for_mail(inbox, sent + 1), url)
    page.goto(link)
    page.get_by_role("button", name="Sign in now").click()


def check_accessibility(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert not bad, results.generate_report()


def shot(page: Page, name: str, database_url: str = "sqlite") -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    path = ARTIFACTS / f"pages-{name}-{kind}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
