"""The shipped starter catalogue, loaded on both databases."""

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.catalogue import service as catalogue
from app.models import (
    Alignment,
    Change,
    Commitment,
    DataVersion,
    History,
    Organisation,
    Pillar,
    Plan,
    PlanScope,
)
from app.organisations import service as organisations
from tests.conftest import NOW
from tests.factories import login

RPA = "ASEAN-RPA-COEA-2021-2025"
PERPRES = "ID-PERPRES-87-2025"


@pytest.fixture
def loaded(session: Session) -> catalogue.Report:
    report = catalogue.load(session, catalogue.parse(catalogue.starter_path()), now=NOW)
    session.commit()
    return report


def _plan(session: Session, code: str) -> Plan:
    return session.exec(select(Plan).where(col(Plan.code) == code)).one()


def _count(session: Session, model: type[Any]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_starter_holds_the_regional_and_the_national_plan(
    session: Session, loaded: catalogue.Report
) -> None:
    plans = session.exec(select(Plan).order_by(col(Plan.code))).all()

    assert [(p.code, p.scope) for p in plans] == [
        (RPA, PlanScope.regional),
        (PERPRES, PlanScope.national),
    ]
    assert [(p.period_start.year, p.period_end.year) for p in plans] == [(2021, 2025), (2025, 2029)]
    assert all(p.notes and "KNOWN GAPS" in p.notes for p in plans)


def test_perpres_has_exactly_its_three_strategies_in_order(
    session: Session, loaded: catalogue.Report
) -> None:
    perpres = _plan(session, PERPRES)

    pillars = session.exec(
        select(Pillar).where(col(Pillar.plan_id) == perpres.id).order_by(col(Pillar.position))
    ).all()

    # In the regulation's own wording (Pasal 3 ayat (2)).
    assert [p.title_id.split()[0] for p in pillars] == ["Pencegahan", "Penanganan", "Kolaborasi"]
    assert pillars[1].title_id == (
        "Penanganan atas penyalahgunaan teknologi informasi dan komunikasi terhadap Anak di"
        " Ranah Dalam Jaringan"
    )


def test_every_commitment_has_titles_in_both_languages_a_source_and_a_confidence(
    session: Session, loaded: catalogue.Report
) -> None:
    commitments = session.exec(select(Commitment)).all()

    assert len(commitments) == loaded["commitments"].created > 0
    for commitment in commitments:
        assert commitment.title_en.strip(), commitment.code
        assert commitment.title_id.strip(), commitment.code
        assert commitment.source, commitment.code
        assert all(url.startswith("https://") for url in commitment.source), commitment.code
        assert commitment.confidence is not None, commitment.code


def test_governance_milestones_sit_under_no_pillar(
    session: Session, loaded: catalogue.Report
) -> None:
    plan_wide = session.exec(
        select(Commitment.code).where(col(Commitment.pillar_id).is_(None))
    ).all()

    governance = [code for code in plan_wide if "-GOV-" in code]
    assert len(governance) == 10  # 3 RPA milestones; Perpres 87's body duties and socialisation
    assert set(plan_wide) - set(governance) == {"RPA-U.1"}  # its focus area is unknown


def test_every_organisation_code_the_file_names_exists(
    session: Session, loaded: catalogue.Report
) -> None:
    raw = yaml.safe_load(catalogue.starter_path().read_text(encoding="utf-8"))
    named = {
        code
        for plan in raw["plans"]
        for entry in plan["commitments"]
        for code in [entry.get("lead_organisation"), *entry.get("related_organisations", [])]
        if code
    }

    missing = {code for code in named if organisations.find(session, code) is None}

    assert named
    assert missing == set()
    assert _count(session, Organisation) == len(raw["organisations"])


@pytest.mark.parametrize("name", ["Kominfo", "komdigi", "Kemenkominfo", "KEMKOMDIGI"])
def test_komdigi_is_found_by_its_former_and_informal_names(
    client: TestClient, session: Session, loaded: catalogue.Report, name: str
) -> None:
    _, headers = login(session)

    response = client.get(f"/api/v1/organisations/{name}", headers=headers)

    assert response.json()["code"] == "KEMKOMDIGI"


def test_alignments_run_from_perpres_to_rpa_with_a_reason(
    session: Session, loaded: catalogue.Report
) -> None:
    rows = session.exec(select(Alignment)).all()

    for alignment in rows:
        national = session.get(Commitment, alignment.national_commitment_id)
        regional = session.get(Commitment, alignment.regional_commitment_id)
        assert national is not None
        assert regional is not None
        assert (national.code[:4], regional.code[:4]) == ("COP-", "RPA-")
        assert alignment.note is not None
        assert "inferred" in alignment.note.lower(), alignment.note
    assert len(rows) == loaded["alignments"].created > 0


def test_commitments_show_their_alignments_over_http(
    client: TestClient, session: Session, loaded: catalogue.Report
) -> None:
    _, headers = login(session)

    response = client.get("/api/v1/commitments/RPA-7", headers=headers)

    contributors = {link["commitment"]["code"] for link in response.json()["contributions"]}
    assert contributors == {"COP-PREV-02", "COP-COLL-01"}


def test_second_load_reports_everything_unchanged_and_writes_nothing(
    session: Session, loaded: catalogue.Report
) -> None:
    counts = {model: _count(session, model) for model in (Change, History)}
    version = session.get(DataVersion, "data")
    assert version is not None
    before = version.value

    again = catalogue.load(session, catalogue.parse(catalogue.starter_path()), now=NOW)
    session.commit()

    assert all(c.created == c.updated == 0 for c in again.values())
    assert {kind: c.unchanged for kind, c in again.items()} == {
        kind: c.created for kind, c in loaded.items()
    }
    assert {model: _count(session, model) for model in (Change, History)} == counts
    session.refresh(version)
    assert version.value == before
    assert session.exec(select(func.max(Commitment.version))).one() == 1
