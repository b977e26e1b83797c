"""Every route of the API, called by every role on targets in its own and in another plan,
of its own and of another organisation, with the answer written down (issue 11). A route
that the table does not list fails the test, so a new route starts with its rights stated.

Roles, in the order of each row: admin; the coordinator of plan P; the coordinator of plan Q;
a contributor of organisation O; a contributor of organisation F; a viewer; no token.
Targets: "P/O" is a task in plan P led by O, and so on; "P" and "Q" a plan (or something in
it); for users "self", "O-person" (a contributor of O, who owns work in P) and "created" (a
viewer the coordinator of P created), with ":email" or ":active" for what a PATCH changes;
for tokens "own" and "other"; "-" where the route has no target."""

from ipaddress import ip_network
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from tests.authorisation.requests import REQUESTS
from tests.authorisation.world import ROLES, Cast, cast

Row = tuple[int, int, int, int, int, int, int]
#                admin P-coord Q-coord O-contr F-contr viewer none
READ: Row = (200, 200, 200, 200, 200, 200, 401)
OPEN: Row = (200, 200, 200, 200, 200, 200, 200)
ADMIN: Row = (200, 403, 403, 403, 403, 403, 401)
IN_P: Row = (200, 200, 403, 403, 403, 403, 401)
IN_Q: Row = (200, 403, 200, 403, 403, 403, 401)


def ok(row: Row, status: int) -> Row:
    """The row with `status` for every 200 (201 for a creation, 204 for a deletion)."""
    return tuple(status if answer == 200 else answer for answer in row)  # type: ignore[return-value]


EXPECTED: dict[str, dict[str, Row]] = {
    "GET /api/v1/organisations": {"-": READ},
    "GET /api/v1/organisations/{ref}": {"-": READ},
    "POST /api/v1/organisations": {"-": (201, 201, 201, 403, 403, 403, 401)},
    # Organisations serve every plan: a coordinator adds one, only an admin changes one.
    "PATCH /api/v1/organisations/{ref}": {"-": ADMIN},
    "GET /api/v1/plans": {"-": READ},
    "GET /api/v1/plans/{ref}": {"P": READ, "Q": READ},
    "POST /api/v1/plans": {"-": ok(ADMIN, 201)},
    "PATCH /api/v1/plans/{ref}": {"P": IN_P, "Q": IN_Q},
    "GET /api/v1/plans/{ref}/coordinators": {"P": READ},
    "PUT /api/v1/plans/{ref}/coordinators/{user_id}": {"P": ok(ADMIN, 201)},
    "DELETE /api/v1/plans/{ref}/coordinators/{user_id}": {"P:member": ok(ADMIN, 204)},
    "GET /api/v1/plans/{ref}/pillars": {"P": READ},
    "POST /api/v1/plans/{ref}/pillars": {"P": ok(IN_P, 201), "Q": ok(IN_Q, 201)},
    "GET /api/v1/pillars/{pillar_id}": {"P": READ},
    "PATCH /api/v1/pillars/{pillar_id}": {"P": IN_P, "Q": IN_Q},
    "GET /api/v1/commitments": {"-": READ},
    "GET /api/v1/commitments/{ref}": {"P": READ},
    "POST /api/v1/commitments": {"P": ok(IN_P, 201), "Q": ok(IN_Q, 201)},
    "PATCH /api/v1/commitments/{ref}": {"P": IN_P, "Q": IN_Q},
    "GET /api/v1/plans/{ref}/periods": {"P": READ},
    "GET /api/v1/plans/{ref}/report": {"P": READ, "Q": READ},
    "GET /api/v1/plans/{ref}/report.md": {"P": READ},
    "GET /api/v1/reports": {"-": READ},
    "GET /api/v1/reports/{report_id}": {"P/O": READ},
    # Filing: the lead organisation's contributors and the plan's coordinators.
    "POST /api/v1/reports": {
        "P/O": (201, 201, 403, 201, 403, 403, 401),
        "P/F": (201, 201, 403, 403, 201, 403, 401),
        "Q/O": (201, 403, 201, 201, 403, 403, 401),
    },
    "PATCH /api/v1/reports/{report_id}": {
        "P/O": (200, 200, 403, 200, 403, 403, 401),
        "Q/F": (200, 403, 200, 403, 200, 403, 401),
    },
    "POST /api/v1/reports/{report_id}/submit": {
        "P/O": (200, 200, 403, 200, 403, 403, 401),
        "Q/F": (200, 403, 200, 403, 200, 403, 401),
    },
    # Evidence files: changed as the report is, read by every signed-in caller.
    "POST /api/v1/reports/{report_id}/files": {
        "P/O": (201, 201, 403, 201, 403, 403, 401),
        "Q/F": (201, 403, 201, 403, 201, 403, 401),
    },
    "GET /api/v1/reports/{report_id}/files": {"P/O": READ},
    "GET /api/v1/reports/{report_id}/files/{file_id}": {"P/O": READ},
    "DELETE /api/v1/reports/{report_id}/files/{file_id}": {
        "P/O": (204, 204, 403, 204, 403, 403, 401),
        "Q/F": (204, 403, 204, 403, 204, 403, 401),
    },
    # Verification: the plan's coordinators only, never the authors.
    "POST /api/v1/reports/{report_id}/accept": {"P/O": IN_P, "Q/F": IN_Q},
    "POST /api/v1/reports/{report_id}/return": {"P/O": IN_P, "Q/F": IN_Q},
    "GET /api/v1/alignments": {"-": READ},
    "GET /api/v1/alignments/{alignment_id}": {"P": READ},
    "POST /api/v1/alignments": {"P": ok(IN_P, 201), "Q": ok(IN_Q, 201)},
    "DELETE /api/v1/alignments/{alignment_id}": {"P": ok(IN_P, 204), "Q": ok(IN_Q, 204)},
    "GET /api/v1/tasks.csv": {"-": READ},
    "GET /api/v1/tasks.xlsx": {"-": READ},
    "GET /api/v1/plans/{ref}/matrix.csv": {"P": READ, "Q": READ},
    "GET /api/v1/plans/{ref}/matrix.xlsx": {"P": READ},
    # A coordinator's rows in another plan are row errors: the whole file is refused (422).
    "POST /api/v1/imports": {
        "P": (200, 200, 422, 403, 403, 403, 401),
        "Q": (200, 422, 200, 403, 403, 403, 401),
    },
    "GET /api/v1/calendar.ics": {"-": READ},
    "POST /api/v1/users/me/feed-key": {"-": ok(READ, 201)},
    "DELETE /api/v1/users/me/feed-key": {"-": ok(READ, 204)},
    "GET /api/v1/tasks": {"-": READ},
    "POST /api/v1/tasks": {"P": ok(IN_P, 201), "Q": ok(IN_Q, 201)},
    "GET /api/v1/tasks/{task_id}": {"P/O": READ, "Q/F": READ},
    "PATCH /api/v1/tasks/{task_id}": {
        "P/O": (200, 200, 403, 200, 403, 403, 401),
        "P/F": (200, 200, 403, 403, 200, 403, 401),
        "Q/O": (200, 403, 200, 200, 403, 403, 401),
        "Q/F": (200, 403, 200, 403, 200, 403, 401),
    },
    "DELETE /api/v1/tasks/{task_id}": {
        "P/O": (204, 204, 403, 403, 403, 403, 401),
        "P/F": (204, 204, 403, 403, 403, 403, 401),
        "Q/O": (204, 403, 204, 403, 403, 403, 401),
        "Q/F": (204, 403, 204, 403, 403, 403, 401),
    },
    "POST /api/v1/tasks/{task_id}/transitions": {
        "P/O": (200, 200, 403, 200, 403, 403, 401),
        "P/F": (200, 200, 403, 403, 200, 403, 401),
        "Q/O": (200, 403, 200, 200, 403, 403, 401),
        "Q/F": (200, 403, 200, 403, 200, 403, 401),
        "P/O:reopen": (200, 200, 403, 403, 403, 403, 401),
        "Q/F:reopen": (200, 403, 200, 403, 403, 403, 401),
    },
    "GET /api/v1/tasks/{task_id}/history": {"P/O": READ, "Q/F": READ},
    "POST /api/v1/tasks/{task_id}/notes": {
        "P/O": (201, 201, 403, 201, 403, 403, 401),
        "P/F": (201, 201, 403, 403, 201, 403, 401),
        "Q/O": (201, 403, 201, 201, 403, 403, 401),
        "Q/F": (201, 403, 201, 403, 201, 403, 401),
    },
    "GET /api/v1/users": {"-": (200, 200, 200, 403, 403, 403, 401)},
    "GET /api/v1/users/me": {"-": READ},
    "PATCH /api/v1/users/me": {"-": READ},
    "GET /api/v1/users/{user_id}": {"self": READ, "O-person": IN_P, "created": IN_P},
    "POST /api/v1/users": {"-": (201, 201, 201, 403, 403, 403, 401)},
    "PATCH /api/v1/users/{user_id}": {
        "self": READ,
        "self:email": READ,
        "O-person": ADMIN,
        "O-person:email": ADMIN,
        "O-person:active": ADMIN,
        "created": IN_P,
        "created:email": ADMIN,
        "created:active": IN_P,
    },
    "GET /api/v1/tokens": {"-": READ},
    "GET /api/v1/tokens/{token_id}": {"own": READ, "other": ADMIN},
    "POST /api/v1/tokens": {"self": ok(READ, 201), "other": ok(ADMIN, 201)},
    "DELETE /api/v1/tokens/{token_id}": {"own": ok(READ, 204), "other": ok(ADMIN, 204)},
    "GET /api/v1/summary": {"-": READ},
    "GET /api/v1/changes": {"-": READ},
    "GET /api/v1/events": {"-": READ},
    "GET /api/v1/reminders": {"-": READ},
    "POST /api/v1/webhooks": {"-": ok(ADMIN, 201)},
    "GET /api/v1/webhooks": {"-": ADMIN},
    "GET /api/v1/webhooks/{webhook_id}": {"-": ADMIN},
    "PATCH /api/v1/webhooks/{webhook_id}": {"-": ADMIN},
    "POST /api/v1/webhooks/{webhook_id}/secret": {"-": ADMIN},
    "DELETE /api/v1/webhooks/{webhook_id}": {"-": ok(ADMIN, 204)},
    "GET /api/v1/webhooks/{webhook_id}/deliveries": {"-": ADMIN},
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay": {"-": ok(ADMIN, 202)},
    "GET /healthz": {"-": OPEN},
    "GET /readyz": {"-": OPEN},
    "GET /metrics": {"-": OPEN},
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Webhooks may name 127.0.0.1 here: the test creates them and never delivers."""
    return Settings(
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        webhook_allowlist=[ip_network("127.0.0.1/32")],
        evidence_folder=str(tmp_path / "evidence"),
        _env_file=None,
    )


def routes(app: FastAPI) -> set[str]:
    """'METHOD path' of every API route, from the app's route table: the routes the OpenAPI
    document describes (the pages for people, which sign in with a session, are left out)."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            found |= {f"{method} {context.path}" for method in context.methods or ()}
    return found - {"HEAD " + key.partition(" ")[2] for key in EXPECTED}


def test_every_route_has_a_row_in_the_table(app: FastAPI) -> None:
    assert sorted(routes(app) - EXPECTED.keys()) == []
    assert sorted(EXPECTED.keys() - routes(app)) == []
    assert sorted(EXPECTED.keys() - REQUESTS.keys()) == []


def test_a_route_added_without_a_row_is_caught(app: FastAPI) -> None:
    app.add_api_route("/api/v1/unlisted", lambda: None, methods=["POST"])

    assert routes(app) - EXPECTED.keys() == {"POST /api/v1/unlisted"}


def _call(client: TestClient, w: Cast, route: str, role: str, target: str) -> int:
    method = route.partition(" ")[0]
    call = REQUESTS[route](w, role, target)
    headers = {**w.headers(role), **call.headers}
    if call.stream:  # an event stream never ends: the status line is the answer
        with client.stream(method, call.path, headers=headers) as stream:
            status: int = stream.status_code
        return status
    response = client.request(
        method, call.path, json=call.json, content=call.content, headers=headers
    )
    answered: int = response.status_code
    return answered


@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_route_answers_each_role_as_the_table_says(
    app: FastAPI, client: TestClient, session: Session, route: str
) -> None:
    w = cast(session, store=app.state.evidence_store)
    wrong = []
    for target, row in EXPECTED[route].items():
        for role, expected in zip(ROLES, row, strict=True):
            got = _call(client, w, route, role, target)
            if got != expected:
                wrong.append(f"{role} on {target}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)
