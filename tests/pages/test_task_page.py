"""The task page's forms write through the task service, with its rules, and never over a
newer version; bad input gets a page, not a 500."""

from sqlmodel import Session, select

from app.models import History, Task, TaskStatus
from tests.factories import auth, make_task, make_token
from tests.pages.conftest import Browser, World, form_value


def _task(session: Session, world: World) -> Task:
    session.expire_all()
    task = session.get(Task, world.task.id)
    assert task is not None
    return task


def _form(browser: Browser, world: World) -> dict[str, str]:
    page = browser.client.get(f"/tasks/{world.task.id}")
    assert page.status_code == 200, page.text
    fields = ("csrf", "version", "seen")
    return {name: form_value(page.text, name) for name in fields}


def test_a_contributor_moves_sets_progress_and_notes(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    base = f"/tasks/{world.task.id}"

    moved = browser.post(f"{base}/status", {**_form(browser, world), "status": "in_progress"})
    progressed = browser.post(f"{base}/progress", {**_form(browser, world), "progress": "40"})
    csrf = _form(browser, world)["csrf"]
    noted = browser.post(f"{base}/notes", {"csrf": csrf, "note": "Draft sent to legal"})

    assert [moved.status_code, progressed.status_code, noted.status_code] == [303] * 3
    token = make_token(session, user=world.contributor)
    api = browser.client.get(f"/api/v1/tasks/{world.task.id}", headers=auth(token)).json()
    assert (api["status"], api["progress"], api["version"]) == ("in_progress", 40, 3)
    page = browser.client.get(base).text
    assert "Draft sent to legal" in page
    assert "Saved." not in page
    assert "in progress" in page


def test_a_note_is_asked_for_where_the_workflow_needs_one(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")

    refused = browser.post(
        f"/tasks/{world.task.id}/status", {**_form(browser, world), "status": "blocked"}
    )

    assert refused.status_code == 422
    assert "needs a note" in refused.text
    assert _task(session, world).status is TaskStatus.not_started


def test_another_organisations_contributor_gets_the_refusal_page(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("budi@example.test")
    page = browser.client.get(f"/tasks/{world.task.id}")
    csrf = form_value(page.text, "csrf")
    assert "Change the status" not in page.text

    refused = browser.post(
        f"/tasks/{world.task.id}/progress", {"csrf": csrf, "version": "1", "progress": "90"}
    )

    assert refused.status_code == 403
    assert "other organisations" in refused.text
    assert _task(session, world).progress == 0


def test_a_coordinator_moves_the_due_date_with_a_reason(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("citra@example.test")
    unexplained = browser.post(  # the service checks a form's change as it checks a PATCH's
        f"/tasks/{world.task.id}/dates",
        {**_form(browser, world), "due_date": "2026-06-30", "reason": " "},
    )

    moved = browser.post(
        f"/tasks/{world.task.id}/dates",
        {**_form(browser, world), "due_date": "2026-06-30", "reason": "Waiting for the budget"},
    )

    assert unexplained.status_code == 422
    assert "due_date_reason" in unexplained.text
    assert moved.status_code == 303
    assert str(_task(session, world).due_date) == "2026-06-30"
    row = session.exec(select(History).where(History.field == "due_date")).one()
    assert row.note == "Waiting for the budget"


def test_a_stale_form_shows_what_changed_and_applies_nothing(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    stale = _form(browser, world)
    browser.post(f"/tasks/{world.task.id}/progress", {**_form(browser, world), "progress": "30"})

    conflict = browser.post(f"/tasks/{world.task.id}/progress", {**stale, "progress": "70"})

    assert conflict.status_code == 409
    assert "Someone else changed this task" in conflict.text
    assert "0 → 30" in conflict.text
    assert _task(session, world).progress == 30
    again = {
        name: form_value(conflict.text.split('id="conflict-title"')[1], name)
        for name in ("version", "progress")
    }
    assert again == {"version": "2", "progress": "70"}


def test_forms_without_the_token_or_from_elsewhere_are_refused(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    good = {**_form(browser, world), "progress": "50"}
    path = f"/tasks/{world.task.id}/progress"

    without = browser.post(path, {k: v for k, v in good.items() if k != "csrf"})
    forged = browser.post(path, {**good, "csrf": "0" * 64})
    elsewhere = browser.post(path, good, Origin="https://evil.example")

    assert [without.status_code, forged.status_code, elsewhere.status_code] == [400] * 3
    assert "not sent from this site" in elsewhere.text
    assert _task(session, world).progress == 0


def test_script_and_html_are_shown_as_text(
    browser: Browser, world: World, session: Session
) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    task = make_task(
        session, commitment=None, title=payload, lead=world.lead, assignee=world.contributor
    )
    browser.sign_in("ayu@example.test")
    csrf = form_value(browser.client.get(f"/tasks/{task.id}").text, "csrf")
    browser.post(f"/tasks/{task.id}/notes", {"csrf": csrf, "note": payload})

    for path in (f"/tasks/{task.id}", "/"):
        page = browser.client.get(path)
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_a_very_long_note_is_refused_with_a_message(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    csrf = _form(browser, world)["csrf"]

    refused = browser.post(f"/tasks/{world.task.id}/notes", {"csrf": csrf, "note": "x" * 5000})
    huge = browser.post(f"/tasks/{world.task.id}/notes", {"csrf": csrf, "note": "x" * 60_000})

    assert refused.status_code == 422
    assert "The change was not saved" in refused.text
    assert huge.status_code == 400
    assert session.exec(select(History).where(History.action == "note")).first() is None


def test_unknown_and_malformed_task_ids_get_a_404_page_in_the_persons_language(
    browser: Browser, world: World
) -> None:
    browser.sign_in("ayu@example.test")

    for ref in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
        page = browser.client.get(f"/tasks/{ref}", headers={"Accept-Language": "id"})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "Tidak ditemukan" in page.text
        assert '<html lang="id">' in page.text


def test_the_language_switch_is_remembered(browser: Browser, world: World) -> None:
    browser.sign_in("ayu@example.test")

    switched = browser.client.get("/language?lang=id&next=/", follow_redirects=False)
    page = browser.client.get("/")

    assert switched.status_code == 303
    assert "Pekerjaan saya" in page.text


def test_the_language_switch_goes_nowhere_else(browser: Browser) -> None:
    away = browser.client.get("/language?lang=id&next=//evil.example/", follow_redirects=False)

    assert away.headers["location"] == "/"
