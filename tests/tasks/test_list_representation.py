"""GET /tasks passes on the documents the database writes (app.tasks.documents): they must be
what the response model would have written, field for field and in its order. SQLite writes
them byte for byte as pydantic does; PostgreSQL puts spaces after colons and commas."""

from datetime import UTC, date, datetime
from typing import Any

import orjson
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session

from app.http import Page
from app.models import Role, TaskStatus
from app.tasks import query
from app.tasks.schemas import TaskPublic
from tests.factories import make_commitment, make_task, make_user
from tests.tasks.support import URL, world

PAGE = TypeAdapter(Page[TaskPublic])


def test_list_tasks_writes_what_the_response_model_writes(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    plan_wide = make_commitment(session, plan=w.plan)  # under no pillar
    assignee = make_user(session, role=Role.contributor, organisation=w.ministry)
    done = make_task(session, commitment=w.commitment, lead=w.ministry, support=[w.ngo])
    odd = make_task(session, commitment=plan_wide, title='Kampanye "aman" 🚸\nbaris dua')
    done.status, done.progress, done.due_date = TaskStatus.completed, 100, None
    odd.description, odd.start_date, odd.assignee_id = (
        "Catatan: é ü 中文",
        date(2026, 3, 1),
        assignee.id,
    )
    odd.reminder_policy = {"enabled": False}
    odd.updated_at = datetime(2026, 3, 2, 2, 0, 5, 123456, tzinfo=UTC)
    done.updated_at = datetime(2026, 3, 2, 2, 0, 5, tzinfo=UTC)  # no fraction of a second
    done.created_at = datetime(2026, 3, 1, 23, 59, 59, 120000, tzinfo=UTC)
    session.add_all([done, odd])
    session.commit()

    response = client.get(URL, headers=w.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    written = orjson.loads(PAGE.dump_json(PAGE.validate_json(response.content)))
    assert _ordered(response.json()) == _ordered(written)
    if session.get_bind().dialect.name == "sqlite":
        assert response.content == PAGE.dump_json(PAGE.validate_json(response.content))
    items = {item["id"]: item for item in response.json()["items"]}
    assert items[str(odd.id)]["pillar"] is None
    assert items[str(odd.id)]["reminder_policy"] == {"enabled": False}
    assert items[str(odd.id)]["updated_at"] == "2026-03-02T02:00:05.123456Z"
    assert (items[str(done.id)]["schedule"], items[str(done.id)]["due_date"]) == ("done", None)
    assert items[str(done.id)]["updated_at"] == "2026-03-02T02:00:05Z"
    assert items[str(done.id)]["created_at"] == "2026-03-01T23:59:59.120000Z"
    assert items[str(odd.id)]["start_date"] == "2026-03-01"


def _ordered(value: Any) -> Any:
    """The value with every object as a list of pairs: equal only with keys in equal order."""
    if isinstance(value, dict):
        return [(name, _ordered(item)) for name, item in value.items()]
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def test_list_tasks_items_have_every_field_of_task_public_in_order(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    make_task(session, commitment=w.commitment, lead=w.ministry)

    item = client.get(URL, headers=w.headers).json()["items"][0]

    assert list(item) == list(TaskPublic.model_fields)


def test_list_tasks_page_links_the_next_one_with_its_etag(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    for _ in range(3):
        make_task(session, commitment=w.commitment, lead=w.ministry)

    response = client.get(URL, params={"limit": 2}, headers=w.headers)

    body = response.json()
    assert len(body["items"]) == 2
    assert body["next_cursor"]
    assert f"cursor={body['next_cursor']}" in response.headers["link"]
    assert response.headers["etag"].startswith('W/"')


def test_publics_match_the_list_items(client: TestClient, session: Session) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry, support=[w.ngo])

    listed = client.get(URL, headers=w.headers).json()["items"][0]
    public = query.public(session, task, date(2026, 3, 2))

    assert public.model_dump(mode="json") == listed
