"""A second member state's national plan (Malaysia's, by catalogue) rolls up beside Indonesia's
under the regional plan, and says what it does not know (issue 12)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.catalogue import service as catalogue
from app.models import Basis, Commitment, Confidence, Plan, Role
from app.reports import rollup
from tests.conftest import NOW
from tests.factories import login, make_alignment

RPA = "ASEAN-RPA-COEA-2021-2025"
MALAYSIA = "MY-DPTKKN-2026-2030"


def _load(session: Session, name: str | None) -> None:
    catalogue.load(session, catalogue.parse(catalogue.path_of(name)), now=NOW)
    session.commit()


def _commitment(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(col(Commitment.code) == code)).one()


def test_malaysias_plan_states_its_known_facts_and_one_marked_placeholder(
    session: Session,
) -> None:
    _load(session, "my-dptkkn-2026-2030")

    plan = session.exec(select(Plan).where(col(Plan.code) == MALAYSIA)).one()
    commitments = session.exec(select(Commitment).where(col(Commitment.plan_id) == plan.id)).all()

    assert (plan.holiday_country, plan.time_zone) == ("MY", "Asia/Kuala_Lumpur")
    assert "141 actions under 16 strategic" in (plan.notes or "")
    assert "2025 ASEAN ICT Forum" in (plan.notes or "")
    [placeholder] = commitments
    assert placeholder.title_en.startswith("Placeholder:")
    assert (placeholder.basis, placeholder.confidence) == (Basis.inferred, Confidence.low)
    assert placeholder.lead_organisation_id is None  # unknown, so not invented


def test_aligned_to_an_rpa_commitment_it_rolls_up_beside_indonesia(
    client: TestClient, session: Session
) -> None:
    _load(session, None)  # the starter: the RPA, Perpres 87/2025 and their alignments
    _load(session, "my-dptkkn-2026-2030")
    make_alignment(
        session,
        national=_commitment(session, "MY-DPTKKN-PH1"),
        regional=_commitment(session, "RPA-1"),
    )
    regional = session.exec(select(Plan).where(col(Plan.code) == RPA)).one()

    lines = {line.code: line for line in rollup.lines(session, regional, "en")}

    national = {(n.plan, n.code, n.country) for n in lines["RPA-1"].national}
    assert national == {
        ("ID-PERPRES-87-2025", "COP-HAND-03", "ID"),
        (MALAYSIA, "MY-DPTKKN-PH1", "MY"),
    }
    _, headers = login(session, role=Role.viewer)
    response = client.get(
        f"/api/v1/plans/{RPA}/report",
        params={"period": "2025-S2"},
        headers={**headers, "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    [line] = [line for line in response.json()["rollup"] if line["code"] == "RPA-1"]
    assert {n["country"] for n in line["national"]} == {"ID", "MY"}
