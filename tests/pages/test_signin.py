"""Sign-in by e-mail link: one use, 15 minutes, limits, sessions that end, nothing logged."""

import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.auth import SESSION_COOKIE
from app.clock import FixedClock
from app.models import SignInRequest, WebSession
from tests.pages.conftest import Browser, World, form_value, link_in


def test_the_e_mailed_link_signs_in_and_returns_to_the_page(browser: Browser, world: World) -> None:
    path = f"/tasks/{world.task.id}"
    sent_away = browser.client.get(path, follow_redirects=False)
    assert sent_away.status_code == 303
    assert sent_away.headers["location"] == f"/sign-in?next=%2Ftasks%2F{world.task.id}"

    browser.sign_in("AYU@example.test", next_path=path)

    mail = browser.inbox.messages[-1]
    assert mail["To"].addresses[0].addr_spec == "ayu@example.test"
    page = browser.client.get(path)
    assert page.status_code == 200
    assert "Draft the guideline" in page.text
    cookie = next(c for c in browser.client.cookies.jar if c.name == SESSION_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")


def test_the_mail_is_in_the_persons_language(
    browser: Browser, world: World, session: Session
) -> None:
    world.contributor.locale = "id"  # type: ignore[assignment]
    session.add(world.contributor)
    session.commit()

    browser.post("/sign-in", {"email": "ayu@example.test"})

    assert browser.inbox.messages[-1]["Subject"] == "Masuk ke Pantau"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    browser: Browser, world: World
) -> None:
    known = browser.post("/sign-in", {"email": "ayu@example.test"})
    unknown = browser.post("/sign-in", {"email": "nobody@example.test"})

    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody", "ayu") == known.text
    assert len(browser.inbox.messages) == 1


def test_opening_the_link_signs_nobody_in_until_the_button(browser: Browser, world: World) -> None:
    browser.post("/sign-in", {"email": "ayu@example.test"})
    opened = browser.client.get(link_in(browser.inbox.messages[-1]))

    assert opened.status_code == 200
    assert "Sign in now" in opened.text
    assert SESSION_COOKIE not in browser.client.cookies


def test_a_link_works_once(browser: Browser, world: World) -> None:
    browser.post("/sign-in", {"email": "ayu@example.test"})
    token = form_value(browser.client.get(link_in(browser.inbox.messages[-1])).text, "token")
    first = browser.post("/sign-in/link", {"token": token})
    browser.client.cookies.clear()

    second = browser.post("/sign-in/link", {"token": token})

    assert first.status_code == 303
    assert second.status_code == 400
    assert "cannot sign you in" in second.text
    assert SESSION_COOKIE not in second.cookies


def test_a_link_expires_after_15_minutes(browser: Browser, world: World, clock: FixedClock) -> None:
    browser.post("/sign-in", {"email": "ayu@example.test"})
    token = form_value(browser.client.get(link_in(browser.inbox.messages[-1])).text, "token")
    clock.advance(timedelta(minutes=15, seconds=1))

    late = browser.post("/sign-in/link", {"token": token})

    assert late.status_code == 400


def test_a_forged_link_is_refused(browser: Browser, world: World) -> None:
    forged = browser.post("/sign-in/link", {"token": "psl_" + "A" * 43})

    assert forged.status_code == 400
    assert "cannot sign you in" in forged.text


def test_only_hashes_are_stored(browser: Browser, world: World, session: Session) -> None:
    browser.sign_in("ayu@example.test")
    secret = browser.client.cookies[SESSION_COOKIE]

    rows = session.exec(select(SignInRequest)).all()
    sessions = session.exec(select(WebSession)).all()
    assert all(secret not in (row.secret_hash) for row in sessions)
    assert all(row.token_hash is None or not row.token_hash.startswith("psl_") for row in rows)


def test_a_cookie_made_elsewhere_signs_nobody_in(browser: Browser, world: World) -> None:
    browser.client.cookies.set(SESSION_COOKIE, "pss_" + "B" * 43)

    page = browser.client.get("/", follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in"


def test_sign_out_ends_the_session_on_the_server(browser: Browser, world: World) -> None:
    browser.sign_in("ayu@example.test")
    secret = browser.client.cookies[SESSION_COOKIE]
    csrf = form_value(browser.client.get("/").text, "csrf")

    out = browser.post("/sign-out", {"csrf": csrf})
    browser.client.cookies.set(SESSION_COOKIE, secret)  # a copy kept of the cookie
    again = browser.client.get("/", follow_redirects=False)

    assert out.status_code == 303
    assert again.status_code == 303


def test_a_session_ends_when_idle_and_at_its_absolute_limit(
    browser: Browser, world: World, clock: FixedClock
) -> None:
    browser.sign_in("ayu@example.test")
    for _ in range(12):  # a page every hour keeps it alive until the absolute limit
        clock.advance(timedelta(minutes=59))
        assert browser.client.get("/", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=59))
    assert browser.client.get("/", follow_redirects=False).status_code == 303

    browser.sign_in("ayu@example.test")
    clock.advance(timedelta(minutes=121))
    assert browser.client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("spread", ["address", "client"])
def test_too_many_links_get_429_with_retry_after(
    browser: Browser, world: World, spread: str
) -> None:
    limit = 5 if spread == "address" else 20
    for n in range(limit):
        email = "ayu@example.test" if spread == "address" else f"x{n}@example.test"
        assert browser.post("/sign-in", {"email": email}).status_code == 200

    refused = browser.post("/sign-in", {"email": "ayu@example.test"})

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"
    assert "Too many" in refused.text


def test_the_api_reads_with_the_session_but_writes_only_with_a_token(
    browser: Browser, world: World
) -> None:
    browser.sign_in("ayu@example.test")

    read = browser.client.get(f"/api/v1/tasks/{world.task.id}")
    write = browser.client.post(f"/api/v1/tasks/{world.task.id}/notes", json={"text": "by cookie"})

    assert read.status_code == 200
    assert write.status_code == 401


def test_link_and_session_secrets_are_never_logged(
    browser: Browser, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    pantau = logging.getLogger("pantau")  # it does not propagate: listen to it directly
    pantau.addHandler(caplog.handler)
    pantau.setLevel("DEBUG")
    try:
        browser.sign_in("ayu@example.test")
        browser.client.get("/")
    finally:
        pantau.removeHandler(caplog.handler)
    token = link_in(browser.inbox.messages[-1]).partition("token=")[2].partition("&")[0]
    secret = browser.client.cookies[SESSION_COOKIE]

    ours = [r for r in caplog.records if r.name.startswith(("pantau", "uvicorn", "app"))]
    assert any(r.name == "pantau.access" for r in ours)
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in ours)
    assert token not in logged
    assert secret not in logged
