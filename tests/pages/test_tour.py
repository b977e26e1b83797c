"""Every page in both languages, as screenshots to look at (tests/artifacts/pages-*.png), each
checked by axe-core; the language comes from the browser and from the switch."""

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from tests.pages.browsing import (
    Serve,
    check_accessibility,
    chromium,
    links_in,
    serve_pages,
    shot,
    wait_for_mail,
)
from tests.pages.conftest import World
from tests.reminders.servers import Inbox

__all__ = ["chromium", "serve_pages"]
pytestmark = pytest.mark.slow
LOCALES = {"en": "en-GB", "id": "id-ID"}
HEADINGS = {"en": "My work", "id": "Pekerjaan saya"}


@pytest.fixture
def url(serve_pages: Serve, settings: Settings, clock: FixedClock, db: Engine) -> str:
    def build(public_url: str) -> FastAPI:
        update = {"public_url": public_url}
        return create_app(settings.model_copy(update=update), clock=clock, engine=db)

    return serve_pages(build)


def _visit(page: Page, name: str, language: str, database_url: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_accessibility(page)
    shot(page, f"{name}-{language}", database_url)


def _sign_in(page: Page, url: str, smtp: Inbox, language: str, database_url: str) -> None:
    page.goto(f"{url}/tasks/not-a-uuid")
    _visit(page, "sign-in", language, database_url)
    page.locator("#email").fill("ayu@example.test")
    sent = len(smtp.messages)
    page.locator("form[action='/sign-in'] button").click()
    _visit(page, "link-sent", language, database_url)
    [link] = links_in(wait_for_mail(smtp, sent + 1), url)
    page.goto(link)
    _visit(page, "sign-in-link", language, database_url)
    page.goto(f"{url}/sign-in/link?token=psl_forged")
    page.locator("form button").click()
    _visit(page, "link-refused", language, database_url)
    page.goto(link)
    page.locator("form[action='/sign-in/link'] button").click()


@pytest.mark.parametrize("language", ["en", "id"])
def test_every_page_in_both_languages(
    chromium: Browser, url: str, smtp: Inbox, world: World, language: str, database_url: str
) -> None:
    context = chromium.new_context(
        locale=LOCALES[language], viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    _sign_in(page, url, smtp, language, database_url)
    _visit(page, "not-found", language, database_url)  # back at the page asked for: a bad id

    page.goto(url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
    _visit(page, "my-work", language, database_url)
    page.goto(f"{url}/tasks/{world.task.id}")
    page.locator("form[action$='/status']:has(textarea) button").first.click()  # no note
    _visit(page, "task-needs-note", language, database_url)
    page.goto(url + "/plans")
    _visit(page, "plans", language, database_url)
    page.locator("main h2 a").first.click()
    _visit(page, "plan", language, database_url)
    context.close()


def test_the_switch_changes_the_language_and_keeps_the_page(
    chromium: Browser, url: str, smtp: Inbox, world: World
) -> None:
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(url + "/sign-in")

    page.get_by_role("link", name="Bahasa Indonesia").click()

    expect(page).to_have_url(url + "/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    context.close()
