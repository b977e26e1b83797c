"""The task page keeps a coordinator to the plans it coordinates, as the API does (issue 11,
hole 3): another plan's coordinator gets no forms, and a form it sends anyway is refused."""

from sqlmodel import Session

from app.models import Role, Task
from tests.factories import make_coordinator_of, make_plan, make_user
from tests.pages.conftest import Browser, World, form_value


def test_a_coordinator_of_another_plan_gets_the_refusal_page(
    browser: Browser, world: World, session: Session
) -> None:
    outsider = make_user(session, role=Role.coordinator, email="dewi@example.test")
    make_coordinator_of(session, plan=make_plan(session), user=outsider)
    browser.sign_in("dewi@example.test")
    page = browser.client.get(f"/tasks/{world.task.id}")
    csrf = form_value(page.text, "csrf")

    refused = browser.post(f"/tasks/{world.task.id}/notes", {"csrf": csrf, "note": "Not mine"})

    assert "Change the status" not in page.text
    assert refused.status_code == 403, refused.text
    assert "plan you do not coordinate" in refused.text
    session.expire_all()
    task = session.get(Task, world.task.id)
    assert task is not None
    assert task.version == 1
