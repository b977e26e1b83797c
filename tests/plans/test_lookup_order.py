"""The catalogue routes (plans, pillars, commitments, alignments, organisations) check the caller
and the request before they look up the resource of the path (app.resources): an unknown resource
is not revealed to a caller without the role, and a malformed request about it is 422, not 404."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import login, make_commitment, make_pillar, make_plan

API = "/api/v1"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # fixed: xdist workers collect alike
PILLAR = {"code": "X", "title_en": "X", "title_id": "X"}


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status"),
    [
        ("GET", "/plans/NOPE", None, None, 401),
        ("PATCH", "/plans/NOPE", Role.viewer, {"title_en": "X"}, 403),
        ("PUT", "/plans/NOPE/coordinators/someone", Role.coordinator, None, 403),
        ("DELETE", "/plans/NOPE/coordinators/someone", Role.coordinator, None, 403),
        ("POST", "/plans/NOPE/pillars", Role.contributor, PILLAR, 403),
        ("PATCH", "/plans/NOPE", Role.admin, {"title_en": None}, 422),
        ("POST", "/plans/NOPE/pillars", Role.admin, {"code": "X"}, 422),
        ("GET", "/plans/NOPE/pillars?limit=0", Role.admin, None, 422),
        ("GET", "/plans/NOPE/coordinators?limit=0", Role.admin, None, 422),
        ("GET", f"/pillars/{UNKNOWN_ID}", None, None, 401),
        ("PATCH", f"/pillars/{UNKNOWN_ID}", Role.viewer, {"title_en": "X"}, 403),
        ("PATCH", f"/pillars/{UNKNOWN_ID}", Role.admin, {"position": -1}, 422),
        ("GET", "/commitments/NOPE", None, None, 401),
        ("PATCH", "/commitments/NOPE", Role.contributor, {"title_en": "X"}, 403),
        ("PATCH", "/commitments/NOPE", Role.admin, {"title_en": None}, 422),
        ("GET", f"/alignments/{UNKNOWN_ID}", None, None, 401),
        ("DELETE", f"/alignments/{UNKNOWN_ID}", Role.viewer, None, 403),
        ("GET", "/organisations/NOPE", None, None, 401),
        ("PATCH", "/organisations/NOPE", Role.viewer, {"name_en": "X"}, 403),
        ("PATCH", "/organisations/NOPE", Role.admin, {"name_en": 5}, 422),
    ],
)
def test_caller_and_request_are_checked_before_the_lookup(
    client: TestClient,
    session: Session,
    method: str,
    path: str,
    role: Role | None,
    body: dict[str, object] | None,
    status: int,
) -> None:
    headers = login(session, role=role)[1] if role else {}

    response = client.request(method, API + path, json=body, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/plans/P1", {"title_en": None}),
        ("POST", "/plans/P1/pillars", {"code": "X"}),
        ("PATCH", "/pillars/{pillar}", {"position": -1}),
        ("PATCH", "/commitments/C1", {"title_en": None}),
    ],
)
def test_malformed_change_in_a_plan_not_coordinated_is_422(
    client: TestClient, session: Session, method: str, path: str, body: dict[str, object]
) -> None:
    plan = make_plan(session, code="P1")
    pillar = make_pillar(session, plan=plan)
    make_commitment(session, plan=plan, code="C1")
    _, headers = login(session, role=Role.coordinator)

    url = API + path.format(pillar=pillar.id)
    response = client.request(method, url, json=body, headers=headers)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/plans/P1", {"period_start": "2030-01-01", "period_end": "2029-01-01"}),
        ("/commitments/C1", {"pillar": "NO-SUCH-PILLAR"}),
        ("/commitments/C1", {"lead_organisation": "NO-SUCH-ORGANISATION"}),
        ("/commitments/C1", {"related_organisations": ["NO-SUCH-ORGANISATION"]}),
    ],
)
def test_a_change_that_could_never_apply_is_422_whatever_version_it_names(
    client: TestClient, session: Session, path: str, body: dict[str, object]
) -> None:
    """A stale If-Match on a body that is wrong in itself: the client must fix the body first,
    so the answer says that (422), not "fetch again and retry" (412)."""
    plan = make_plan(session, code="P1")
    make_commitment(session, plan=plan, code="C1")
    _, headers = login(session, role=Role.admin)

    response = client.patch(API + path, json=body, headers=headers | {"If-Match": '"999"'})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
