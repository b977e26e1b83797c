"""/docs and /redoc work without internet: every asset comes from Pantau itself."""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Route, expect, sync_playwright
from sqlalchemy import Engine

from tests.ops.server import serve

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REFERENCE = re.compile(r'(?:src|href|spec-url|data-openapi)="([^"]+)"')


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_their_own_assets(client: TestClient, page: str) -> None:
    html = client.get(page)
    references = REFERENCE.findall(html.text)

    assert html.status_code == 200
    assert references
    for reference in references:
        assert not urlsplit(reference).netloc, reference  # no host: served from here
        assert client.get(reference).status_code == 200, reference


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium; CI installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.mark.slow
def test_docs_render_with_the_network_beyond_this_machine_cut(
    browser: Browser, database_url: str, db: Engine, tmp_path: Path
) -> None:
    refused: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with serve(database_url, tmp_path) as server:
        context = browser.new_context()
        context.route("**/*", local_only)
        page = context.new_page()
        page.goto(f"{server.url}/docs")
        expect(page.get_by_role("button", name="Authorize")).to_be_visible(timeout=15_000)
        expect(page.get_by_text("tasks_list").first).to_be_attached()
        page.goto(f"{server.url}/redoc")
        expect(page.get_by_role("heading", name=re.compile("Pantau"))).to_be_visible(timeout=15_000)
        context.close()

    assert refused == []
