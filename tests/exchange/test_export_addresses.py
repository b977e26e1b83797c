"""An export names an assignee's address only to whom /users would show it (issue 11, hole 5):
admins, the person, and coordinators for the people of their plans."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.exchange.support import API, csv_records, world, xlsx_records
from tests.factories import (
    login,
    make_commitment,
    make_organisation,
    make_plan,
    make_task,
    make_user,
)


def _addresses(client: TestClient, headers: dict[str, str], kind: str) -> dict[str, str]:
    response = client.get(f"{API}/tasks.{kind}", headers=headers)
    assert response.status_code == 200, response.text
    read = csv_records if kind == "csv" else xlsx_records
    return {row["title"]: row["assignee_email"] or "" for row in read(response.content)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_shows_each_caller_only_the_addresses_it_may_see(
    client: TestClient, session: Session, kind: str
) -> None:
    w = world(session)  # its coordinator coordinates w.plan
    other = make_organisation(session)
    sari = make_user(session, role=Role.contributor, organisation=w.ministry, email="sari@x.test")
    dewi = make_user(session, role=Role.contributor, organisation=other, email="dewi@x.test")
    elsewhere = make_commitment(session, plan=make_plan(session))
    make_task(session, commitment=w.commitment, title="ours", lead=w.ministry, assignee=sari)
    make_task(session, commitment=elsewhere, title="theirs", lead=other, assignee=dewi)
    _, admin = login(session, role=Role.admin)
    _, viewer = login(session, role=Role.viewer)
    _, sari_headers = login(session, role=Role.contributor, organisation=w.ministry)

    coordinator = _addresses(client, w.headers, kind)  # first: kept answers must not leak
    by_viewer = _addresses(client, viewer, kind)
    by_contributor = _addresses(client, sari_headers, kind)
    by_admin = _addresses(client, admin, kind)

    assert by_admin == {"ours": "sari@x.test", "theirs": "dewi@x.test"}
    assert coordinator == {"ours": "sari@x.test", "theirs": ""}
    assert by_viewer == {"ours": "", "theirs": ""}
    assert by_contributor == {"ours": "", "theirs": ""}


def test_export_shows_the_caller_its_own_address(client: TestClient, session: Session) -> None:
    w = world(session)
    me, headers = login(session, role=Role.contributor, organisation=w.ministry)
    make_task(session, commitment=w.commitment, title="mine", lead=w.ministry, assignee=me)

    assert _addresses(client, headers, "csv") == {"mine": me.email}
