"""The report pages in headless Chromium, in both languages: a contributor files the report
from the plan page, adds a file and submits; a coordinator returns it. axe-core checks each
page; screenshots to look at go to tests/artifacts/pages-report-*.png."""

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, FilePayload, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Commitment, Plan
from tests.pages.browsing import Serve, check_accessibility, chromium, serve_pages, shot, sign_in
from tests.pages.conftest import World
from tests.reminders.servers import Inbox

__all__ = ["chromium", "serve_pages"]
pytestmark = pytest.mark.slow


@pytest.fixture
def url(serve_pages: Serve, settings: Settings, clock: FixedClock, db: Engine) -> str:
    def build(public_url: str) -> FastAPI:
        return create_app(
            settings.model_copy(update={"public_url": public_url}), clock=clock, engine=db
        )

    return serve_pages(build)


def _page(chromium: Browser) -> Page:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    return context.new_page()


def _in_language(page: Page, language: str) -> None:
    name = {"en": "English", "id": "Bahasa Indonesia"}[language]
    link = page.get_by_role("link", name=name, exact=True)
    if link.count():
        link.click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_a_report_is_filed_and_reviewed_in_both_languages(
    chromium: Browser, url: str, smtp: Inbox, world: World, session: Session, database_url: str
) -> None:
    commitment = session.get(Commitment, world.task.commitment_id)
    assert commitment is not None
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    page = _page(chromium)
    sign_in(page, url, smtp, "ayu@example.test")
    page.goto(f"{url}/plans/{plan.code}")
    page.get_by_role("link", name="2026-S1: not filed yet").click()
    page.get_by_label("Limited").check()
    page.get_by_label("Narrative in Indonesian").fill("Pedoman <b>sedang</b> disusun.")
    page.get_by_label("Indicator value reached").fill("2 of 5")
    page.get_by_label("Link 1: address").fill("https://kemenpppa.go.id/pedoman")
    page.get_by_label("Link 1: title").fill("Draf pedoman")
    page.get_by_role("button", name="File the report").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    minutes: FilePayload = {
        "name": "notulen.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.7\n",
    }
    page.get_by_label("Add a file", exact=False).set_input_files(files=[minutes])
    page.get_by_role("button", name="Upload the file").click()
    expect(page.get_by_role("link", name="notulen.pdf")).to_be_visible()
    expect(page.get_by_text("Pedoman <b>sedang</b> disusun.")).to_be_visible()  # text, not markup
    for language in ("en", "id"):
        _in_language(page, language)
        check_accessibility(page)
        shot(page, f"report-form-{language}", database_url)
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status")).to_have_text("Tersimpan.")
    expect(page.get_by_role("button", name="Simpan draf")).to_have_count(0)

    reviewer = _page(chromium)
    sign_in(reviewer, url, smtp, "citra@example.test")
    reviewer.goto(page.url.split("?")[0])
    for language in ("en", "id"):
        _in_language(reviewer, language)
        check_accessibility(reviewer)
        shot(reviewer, f"report-review-{language}", database_url)
    _in_language(reviewer, "en")
    reviewer.get_by_label("What should change").fill("Lampirkan notulen rapat.")
    reviewer.get_by_role("button", name="Return the report to its authors").click()
    expect(reviewer.get_by_text("Lampirkan notulen rapat.")).to_be_visible()
    expect(reviewer.get_by_text("returned", exact=True)).to_be_visible()
