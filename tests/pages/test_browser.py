"""The pages as people use them, in headless Chromium: sign in by the e-mailed link, follow a
real reminder to the task and act on it; refusals, a coordinator's date change, a stale form.
axe-core checks every page it passes."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.outbox.sender import WebhookSender
from app.reminders import service as reminders
from tests.factories import auth, make_token
from tests.pages.browsing import (
    Serve,
    check_accessibility,
    chromium,
    links_in,
    serve_pages,
    shot,
    sign_in,
)
from tests.pages.conftest import World
from tests.reminders.conftest import at_nine
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


@pytest.fixture
def page(chromium: Browser) -> Page:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    return context.new_page()


def _remind(db: Engine, settings: Settings, url: str, world: World) -> None:
    """A reminder pass when the task's 14-day reminder is due."""
    assert world.task.due_date is not None
    when = at_nine(world.task.due_date - timedelta(days=14))
    chosen = settings.model_copy(update={"public_url": url})
    sender = WebhookSender(chosen)
    try:
        reminders.run_once(db, chosen, when, sender=sender, worker="test")
    finally:
        sender.close()


def test_a_contributor_follows_a_reminder_and_updates_the_task(
    page: Page,
    url: str,
    smtp: Inbox,
    world: World,
    session: Session,
    db: Engine,
    settings: Settings,
    database_url: str,
) -> None:
    page.goto(url + "/")
    expect(page).to_have_url(url + "/sign-in")
    check_accessibility(page)
    sign_in(page, url, smtp, "ayu@example.test")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    check_accessibility(page)

    _remind(db, settings, url, world)
    [reminder] = smtp.to("ayu@example.test")[-1:]
    [link] = [found for found in links_in(reminder, url) if "/tasks/" in found]
    assert link == f"{url}/tasks/{world.task.id}"
    page.goto(link)
    check_accessibility(page)
    page.get_by_role("button", name="Move to in progress").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.get_by_label("Progress (%)").fill("55")
    page.get_by_role("button", name="Save progress").click()
    page.get_by_label("Note", exact=True).fill("Draft sent to the legal bureau")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".timeline")).to_contain_text("Draft sent to the legal bureau")
    shot(page, "task-updated", database_url)

    token = auth(make_token(session, user=world.contributor))
    api = httpx.get(f"{url}/api/v1/tasks/{world.task.id}", headers=token).json()
    assert (api["status"], api["progress"]) == ("in_progress", 55)
    history = httpx.get(f"{url}/api/v1/tasks/{world.task.id}/history", headers=token).json()
    assert "Draft sent to the legal bureau" in [h["note"] for h in history["items"]]
    feed = httpx.get(f"{url}/api/v1/changes", headers=token).json()["items"]
    assert feed[-1]["data"]["progress"] == 55
    page.goto(url + "/dashboard")
    expect(page.locator("#totals")).to_contain_text("55%")
    shot(page, "dashboard-session", database_url)


def test_another_organisations_contributor_gets_the_refusal_page(
    page: Page, url: str, smtp: Inbox, world: World, database_url: str
) -> None:
    sign_in(page, url, smtp, "budi@example.test", start=f"/tasks/{world.task.id}")
    expect(page.get_by_role("heading", name="Draft the guideline")).to_be_visible()
    expect(page.get_by_role("button", name="Save progress")).to_have_count(0)

    # A form kept from before (the person moved organisation, say), sent anyway.
    page.evaluate(
        """([id, csrf]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = `/tasks/${id}/progress`;
            for (const [name, value] of [["csrf", csrf], ["version", "1"], ["progress", "90"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.append(input);
            }
            document.body.append(form);
            form.submit();
        }""",
        [str(world.task.id), page.locator("input[name=csrf]").first.get_attribute("value")],
    )

    expect(page.get_by_role("heading", name="You may not do this")).to_be_visible()
    check_accessibility(page)
    shot(page, "refused", database_url)


def test_a_coordinator_moves_the_due_date_with_a_reason(
    page: Page, url: str, smtp: Inbox, world: World, database_url: str
) -> None:
    sign_in(page, url, smtp, "citra@example.test", start=f"/tasks/{world.task.id}")

    page.get_by_label("Due date").fill("2026-06-30")
    page.get_by_label("Reason for the change").fill("The budget comes in May")
    page.get_by_role("button", name="Save the dates").click()

    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator(".timeline")).to_contain_text("2026-04-01 → 2026-06-30")
    expect(page.locator(".timeline")).to_contain_text("The budget comes in May")
    check_accessibility(page)


def test_a_stale_form_shows_the_conflict_and_applies_on_request(
    page: Page, url: str, smtp: Inbox, world: World, database_url: str
) -> None:
    sign_in(page, url, smtp, "ayu@example.test", start=f"/tasks/{world.task.id}")
    other = page.context.new_page()
    other.goto(f"{url}/tasks/{world.task.id}")
    other.get_by_label("Progress (%)").fill("30")
    other.get_by_role("button", name="Save progress").click()

    page.get_by_label("Progress (%)").fill("70")
    page.get_by_role("button", name="Save progress").click()

    expect(page.get_by_role("heading", name="Someone else changed this task")).to_be_visible()
    expect(page.locator(".problem .timeline")).to_contain_text("0 → 30")
    check_accessibility(page)
    shot(page, "conflict", database_url)
    page.get_by_role("button", name="Apply my change again").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator(".timeline")).to_contain_text("30 → 70")
