"""The dashboard page in headless Chromium (Debian's, driven by Playwright for Python)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session

from app.models import Role
from tests.dashboard.conftest import AppFactory, World
from tests.factories import login

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
Serve = Callable[[FastAPI], str]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run "
            "the dashboard page tests; CI installs it"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Page, url: str, world: World) -> None:
    page.goto(url + "/dashboard")
    token = world.headers["Authorization"].removeprefix("Bearer ")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Show the dashboard").click()


def _shot(page: Page, name: str, database_url: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    path = ARTIFACTS / f"{name}-{kind}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_page_shows_both_plans_switches_language_and_follows_changes(
    page: Page,
    make_app: AppFactory,
    serve: Serve,
    world: World,
    session: Session,
    database_url: str,
) -> None:
    url = serve(make_app())
    _, admin = login(session, role=Role.admin)
    _sign_in(page, url, world)
    expect(page.get_by_role("heading", name="PERPRES-87-2025 PERPRES-87-2025 plan")).to_be_visible()
    expect(page.get_by_role("heading", name="ASEAN-RPA-2021 ASEAN-RPA-2021 plan")).to_be_visible()
    expect(page.locator("#totals")).to_contain_text("35%")

    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Kemajuan per rencana dan strategi")).to_be_visible()
    expect(page.get_by_text("Rencana PERPRES-87-2025")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "id")

    task = world.tasks["T3"]
    patched = httpx.patch(
        f"{url}/api/v1/tasks/{task.id}",
        json={"progress": 60},
        headers={**admin, "If-Match": '"1"'},
    )
    assert patched.status_code == 200
    expect(page.locator("#totals")).to_contain_text("45%")  # (210 + 60) / 6
    expect(page.get_by_role("status")).to_contain_text("Diperbarui")
    _shot(page, "dashboard", database_url)


def test_page_remembers_token_and_language(
    page: Page, make_app: AppFactory, serve: Serve, world: World
) -> None:
    url = serve(make_app())
    _sign_in(page, url, world)
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.reload()

    expect(page.get_by_role("heading", name="Paling terlambat")).to_be_visible()
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.get_by_role("button", name="Bahasa Indonesia")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_page_refuses_a_wrong_token(page: Page, make_app: AppFactory, serve: Serve) -> None:
    url = serve(make_app())
    page.goto(url + "/dashboard")

    page.get_by_label("API token").fill("pnt_wrong")
    page.get_by_role("button", name="Show the dashboard").click()

    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    expect(page.locator("#dashboard")).to_be_hidden()


def test_public_page_needs_no_token(
    page: Page, make_app: AppFactory, serve: Serve, world: World
) -> None:
    url = serve(make_app(public_dashboard=True))

    page.goto(url + "/dashboard")

    expect(page.get_by_text("ASEAN-RPA-2021 plan")).to_be_visible()
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.locator("footer")).to_contain_text("Public read-only view")


def test_print_view_hides_the_controls(
    page: Page, make_app: AppFactory, serve: Serve, world: World, database_url: str
) -> None:
    url = serve(make_app())
    _sign_in(page, url, world)
    expect(page.get_by_text("PERPRES-87-2025 plan")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", name="Most overdue")).to_be_visible()
    expect(page.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "60")
    _shot(page, "dashboard-print", database_url)
