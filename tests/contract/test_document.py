"""The OpenAPI document says what the service does, and the service does what it says."""

import re
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.dates import in_range
from app.models import Role
from app.plans.schemas import Url
from tests.factories import login, make_organisation


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_error_is_a_problem_and_every_id_a_name(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = _operations(document)

    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    assert "tasks_list" in ids
    assert "tasks_change_status" in ids
    for method, path, operation in operations:
        assert operation["operationId"].startswith(operation["tags"][0] + "_"), (method, path)
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_answers_follow_what_an_operation_does(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def declared(path: str, method: str) -> tuple[set[str], set[str]]:
        operation = paths[path][method]
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        return set(operation["responses"]), names

    patch_task = declared("/api/v1/tasks/{task_id}", "patch")
    transition = declared("/api/v1/tasks/{task_id}/transitions", "post")
    listing = declared("/api/v1/tasks", "get")
    assert {"401", "403", "404", "412", "428", "422", "415", "413"} <= patch_task[0]
    assert "If-Match" in patch_task[1]
    assert "Idempotency-Key" not in patch_task[1]
    assert "412" in transition[0]
    assert "428" not in transition[0]
    assert "Idempotency-Key" in transition[1]
    assert {"200", "304", "401", "422"} <= listing[0]
    assert "404" not in listing[0]
    assert "If-None-Match" in listing[1]
    assert paths["/api/v1/tasks"]["get"]["security"] == [{"bearer": []}]
    assert set(paths["/healthz"]["get"]["responses"]) == {"200", "422"}  # an unknown parameter
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_a_field_that_refuses_null_is_not_nullable(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    title = schemas["TaskUpdate"]["properties"]["title"]
    due_date = schemas["TaskUpdate"]["properties"]["due_date"]  # null clears it
    assert "null" not in str(title)
    assert {"type": "null"} in due_date["anyOf"]


def test_the_document_names_the_range_of_dates(client: TestClient) -> None:
    """A generated day outside 2000-2099 is refused with 422 (app.dates): the document says so,
    or a client (and schemathesis) takes a valid-looking day for a valid one."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    due_date = next(
        o for o in schemas["TaskUpdate"]["properties"]["due_date"]["anyOf"] if o != {"type": "null"}
    )
    start = schemas["PlanCreate"]["properties"]["period_start"]
    days = [date(1999, 12, 31) + timedelta(days=n) for n in range(0, 36600, 7)]
    days += [date(1999, 12, 31), date(2000, 2, 29), date(2024, 2, 29), date(2099, 12, 31)]
    days += [date(2100, 1, 1), date(1, 1, 1), date(9999, 12, 31)]
    for schema in (due_date, start):
        assert schema["format"] == "date"
        pattern = re.compile(schema["pattern"])
        for day in days:
            assert bool(pattern.search(day.isoformat())) == in_range(day), day
    for bad in ("2023-02-29", "2026-04-31", "2026-13-01", "2100-02-29"):
        assert not re.search(due_date["pattern"], bad)


def test_version_and_times_are_what_the_document_says(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.admin)
    organisation = make_organisation(session)
    url = f"/api/v1/organisations/{organisation.code}"

    falsy = client.patch(url, json={"name_en": "Renamed", "version": False}, headers=headers)
    numeric = client.get("/api/v1/tasks", params={"updated_after": "0.5"}, headers=headers)
    day = client.get("/api/v1/tasks", params={"due_before": "0"}, headers=headers)
    zero = client.patch("/api/v1/users/me", json={"digest": 0}, headers=headers)

    assert falsy.status_code == 422  # not version 0, a stale 412
    assert numeric.status_code == 422  # not 1970-01-01T00:00:00.5Z
    assert day.status_code == 422  # not 1970-01-01
    assert zero.status_code == 422  # not false


def test_a_refused_method_names_every_method_of_the_address(client: TestClient) -> None:
    answer = client.request("TRACE", "/api/v1/users/me/feed-key")

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "DELETE, POST"


def test_any_etag_does_not_turn_an_invalid_read_into_a_304(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session, role=Role.admin)

    answer = client.get("/api/v1/organisations?limit=0", headers={**headers, "If-None-Match": "*"})

    assert answer.status_code == 422


def test_a_person_changes_themselves_at_users_me(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    answer = client.patch(
        "/api/v1/users/me", json={"name": "Sari", "version": 1.0}, headers=headers
    )

    assert answer.status_code == 200
    assert answer.json()["name"] == "Sari"


def test_a_body_that_cannot_apply_is_refused_before_its_version_is_checked(
    client: TestClient, session: Session
) -> None:
    """422 for what the body says, whatever version it names: a stale version (412) is only
    worth reporting for a change that could otherwise be made."""
    admin, headers = login(session, role=Role.admin)

    for address in ("/api/v1/users/me", f"/api/v1/users/{admin.id}"):
        answer = client.patch(address, json={"time_zone": "AAA", "version": 99}, headers=headers)

        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "time_zone"


def test_the_document_refuses_the_urls_the_server_refuses(client: TestClient) -> None:
    """The pattern read by an ECMA-262 validator (as a client or schemathesis reads it) and by
    the server agree on the characters whose `\\s` differs between regex dialects."""
    import jsonschema_rs  # schemathesis's validator, an ECMA-262 regex dialect

    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    document = jsonschema_rs.validator_for(schemas["Evidence"]["properties"]["url"])
    server = TypeAdapter(Url)
    for character in ("a", "é", "\x85", "\ufeff", "\x1c", "\x1f", "\xa0", "\u2028", "\u3000"):
        url = f"http://x{character}y"
        try:
            server.validate_python(url)
            accepted = True
        except ValidationError:
            accepted = False
        assert document.is_valid(url) == accepted, repr(character)


def test_bounds_of_whole_numbers_are_json_schema_keywords(client: TestClient) -> None:
    """Pydantic writes the bounds of a validated int as `ge`/`le`, which JSON Schema ignores:
    a client (and schemathesis) then sends -1 for a position and gets 422."""
    document = client.get("/openapi.json").text
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    assert '"ge":' not in document
    assert '"le":' not in document
    position = schemas["PillarCreate"]["properties"]["position"]
    assert (position["minimum"], position["maximum"]) == (0, 100_000)


def test_a_write_with_a_bad_token_is_refused_at_once(client: TestClient) -> None:
    """A write's transaction holds SQLite's write lock from the token's look-up on; counting
    the failure (decision 15) waited for it until the busy timeout, and answered 503."""
    answer = client.post(
        "/api/v1/organisations", json={"name": "X"}, headers={"Authorization": "Bearer nope"}
    )

    assert answer.status_code == 401, answer.text
