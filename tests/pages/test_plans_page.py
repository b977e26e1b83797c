"""The plans pages: strategies, commitments and their tasks; a coordinator's new task."""

from sqlmodel import Session, col, select

from app.models import Commitment, Task
from tests.pages.conftest import Browser, World, form_value


def _plan_code(session: Session, world: World) -> tuple[str, str]:
    commitment = session.get(Commitment, world.task.commitment_id)
    assert commitment is not None
    from app.models import Plan

    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    return plan.code, commitment.code


def test_the_plan_page_lists_commitments_and_their_tasks(
    browser: Browser, world: World, session: Session
) -> None:
    plan, commitment = _plan_code(session, world)
    browser.sign_in("ayu@example.test")

    listing = browser.client.get("/plans")
    page = browser.client.get(f"/plans/{plan}")

    assert f'href="/plans/{plan}"' in listing.text
    assert commitment in page.text
    assert f'href="/tasks/{world.task.id}"' in page.text
    assert "New task under this commitment" not in page.text


def test_a_coordinator_creates_a_task_under_a_commitment(
    browser: Browser, world: World, session: Session
) -> None:
    plan, commitment = _plan_code(session, world)
    browser.sign_in("citra@example.test")
    page = browser.client.get(f"/plans/{plan}")
    assert "New task under this commitment" in page.text

    created = browser.post(
        f"/plans/{plan}/tasks",
        {
            "csrf": form_value(page.text, "csrf"),
            "commitment": commitment,
            "title": "Train the hotline staff",
            "lead": "KPPPA",
            "due_date": "2026-09-30",
        },
    )

    assert created.status_code == 303
    session.commit()  # end the read snapshot: see what the app committed since
    task = session.exec(select(Task).where(col(Task.title) == "Train the hotline staff")).one()
    assert created.headers["location"] == f"/tasks/{task.id}?saved=1"


def test_a_contributor_may_not_create_tasks(
    browser: Browser, world: World, session: Session
) -> None:
    plan, commitment = _plan_code(session, world)
    browser.sign_in("ayu@example.test")
    csrf = form_value(browser.client.get("/").text, "csrf")

    refused = browser.post(
        f"/plans/{plan}/tasks",
        {"csrf": csrf, "commitment": commitment, "title": "Sneaky", "lead": "KPPPA"},
    )

    assert refused.status_code == 403
    session.commit()
    assert session.exec(select(Task).where(col(Task.title) == "Sneaky")).first() is None


def test_an_unknown_plan_is_a_404_page(browser: Browser, world: World) -> None:
    browser.sign_in("ayu@example.test")

    page = browser.client.get("/plans/NO-SUCH-PLAN")

    assert page.status_code == 404
    assert "Not found" in page.text
