"""A task's own reminder policy: set by coordinators, validated, and able to silence the task."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import auth, make_token, make_user
from tests.tasks.support import URL, task_body, world


def test_create_task_with_reminders_switched_off_shows_the_policy(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    response = client.post(
        URL, json=task_body(w, reminder_policy={"enabled": False}), headers=w.headers
    )

    assert response.status_code == 201
    assert response.json()["reminder_policy"] == {"enabled": False}


def test_patch_replaces_the_policy_and_null_clears_it(client: TestClient, session: Session) -> None:
    w = world(session)
    created = client.post(
        URL, json=task_body(w, reminder_policy={"before_days": [3]}), headers=w.headers
    ).json()
    url = f"{URL}/{created['id']}"

    changed = client.patch(
        url, json={"reminder_policy": {"overdue_every_days": 0}, "version": 1}, headers=w.headers
    )
    cleared = client.patch(url, json={"reminder_policy": None, "version": 2}, headers=w.headers)

    assert changed.json()["reminder_policy"] == {"overdue_every_days": 0}
    assert cleared.json()["reminder_policy"] is None


def test_unknown_or_out_of_range_policy_keys_are_422(client: TestClient, session: Session) -> None:
    w = world(session)

    unknown = client.post(URL, json=task_body(w, reminder_policy={"every": 1}), headers=w.headers)
    negative = client.post(
        URL, json=task_body(w, reminder_policy={"before_days": [-1]}), headers=w.headers
    )

    assert unknown.status_code == 422
    assert negative.status_code == 422
    assert unknown.json()["errors"][0]["field"].startswith("reminder_policy")


def test_contributor_may_not_change_the_policy(client: TestClient, session: Session) -> None:
    w = world(session)
    created = client.post(URL, json=task_body(w), headers=w.headers).json()
    contributor = make_user(session, role=Role.contributor, organisation=w.ministry)

    response = client.patch(
        f"{URL}/{created['id']}",
        json={"reminder_policy": {"enabled": False}, "version": 1},
        headers=auth(make_token(session, user=contributor)),
    )

    assert response.status_code == 403
