"""Loading catalogues other than the starter: newer versions, edits kept, bad files refused."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from app.catalogue import service as catalogue
from app.commitments import service as commitments
from app.commitments.schemas import CommitmentUpdate
from app.models import Alignment, Commitment, History, Organisation, Pillar, Task
from app.organisations import service as organisations
from app.organisations.schemas import OrganisationUpdate
from tests.conftest import NOW
from tests.factories import make_commitment, make_plan, make_task

STARTER = catalogue.starter_path().read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "catalogue.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _load(session: Session, path: Path) -> catalogue.Report:
    report = catalogue.load(session, catalogue.parse(path), now=NOW)
    session.commit()
    return report


def _commitment(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(col(Commitment.code) == code)).one()


def test_newer_catalogue_updates_titles_without_touching_tasks(
    session: Session, write: Callable[[str], Path]
) -> None:
    _load(session, catalogue.starter_path())
    task = make_task(session, commitment=_commitment(session, "COP-PREV-01"), title="Draf SOP")
    newer = STARTER.replace(
        "title_en: Legal frameworks", "title_en: National legal frameworks"
    ).replace("Risk-based detection, filtering", "Risk-based detection, screening")

    report = _load(session, write(newer))

    commitment = _commitment(session, "COP-PREV-01")
    session.refresh(task)
    assert (report["commitments"].updated, report["pillars"].updated) == (1, 1)
    assert commitment.title_en.startswith("Risk-based detection, screening")
    assert commitment.version == 2
    assert (task.commitment_id, task.version, task.title) == (commitment.id, 1, "Draf SOP")
    assert task.updated_at == NOW
    changed = session.exec(
        select(History).where(
            col(History.entity_id) == commitment.id, col(History.field).is_not(None)
        )
    ).one()
    assert (changed.field, changed.actor_id) == ("title_en", None)


def test_newer_catalogue_rewords_an_alignment_note(
    session: Session, write: Callable[[str], Path]
) -> None:
    _load(session, catalogue.starter_path())
    newer = STARTER.replace("hosted the 2024 ASEAN ICT Forum", "co-hosted the 2024 ASEAN ICT Forum")

    report = _load(session, write(newer))

    alignment = session.exec(select(Alignment).where(col(Alignment.version) == 2)).one()
    assert (report["alignments"].updated, report["alignments"].unchanged) == (1, 4)
    assert alignment.note is not None
    assert "co-hosted" in alignment.note


def test_reload_keeps_an_edit_of_a_field_the_file_leaves_out(session: Session) -> None:
    _load(session, catalogue.starter_path())
    row = _commitment(session, "COP-PREV-03")  # no lead in the file: none is known
    update = CommitmentUpdate(lead_organisation="KEMENPPPA", title_en="Edited title")
    commitments.update(session, row, update, actor_id=None, now=NOW)
    session.commit()

    report = _load(session, catalogue.starter_path())

    row = _commitment(session, "COP-PREV-03")
    lead = session.get(Organisation, row.lead_organisation_id)
    assert lead is not None
    assert lead.code == "KEMENPPPA"
    assert row.title_en == "Digital literacy and resilience for children and families"
    assert report["commitments"].updated == 1


def test_reload_merges_aliases_instead_of_replacing_them(session: Session) -> None:
    _load(session, catalogue.starter_path())
    komdigi = organisations.resolve(session, "KEMKOMDIGI")
    before = organisations.aliases_of(session, [komdigi.id])[komdigi.id]
    data = OrganisationUpdate(aliases=[*before, "Kemenkomdigi"])
    organisations.update(session, komdigi, data, actor_id=None, now=NOW)
    session.commit()

    report = _load(session, catalogue.starter_path())

    assert organisations.resolve(session, "Kemenkomdigi").code == "KEMKOMDIGI"
    assert report["organisations"].updated == 0


def test_commitment_code_taken_by_another_plan_is_refused(session: Session) -> None:
    make_commitment(session, plan=make_plan(session), code="RPA-1")

    with pytest.raises(catalogue.CatalogueError, match="RPA-1 belongs to another plan"):
        catalogue.load(session, catalogue.parse(catalogue.starter_path()), now=NOW)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "title_id: Kerangka hukum",
            'title_id: "  "',
            "plans[ASEAN-RPA-COEA-2021-2025].pillars[RPA-FA1].title_id: String should have at",
        ),
        (
            "lead_organisation: KEMKOMDIGI",
            "lead_organisation: KOMINFO-LAMA",
            "commitments[COP-PREV-01]: organisation KOMINFO-LAMA is not in organisations",
        ),
        (
            "pillar: COP-HAND\n",
            "pillar: COP-HANDLING\n",
            "commitments[COP-HAND-01]: pillar COP-HANDLING is not a pillar of the plan",
        ),
        (
            "confidence: low\n",
            "confidence: unsure\n",
            "commitments[RPA-1.1].confidence: Input should be 'high', 'medium' or 'low'",
        ),
        (
            "period_start: 2025-01-01",
            'period_start: "2027-02-30"',
            "plans[ID-PERPRES-87-2025].period_start: Input should be a valid date",
        ),
        ("period_start: 2025-01-01", "period_start: 2027-02-30", "not valid YAML"),
        (
            "  - national: COP-HAND-03\n    regional: RPA-1\n",
            "  - national: RPA-1\n    regional: COP-HAND-03\n",
            "alignments[RPA-1->COP-HAND-03]: RPA-1 is not a commitment of a national plan",
        ),
        ("code: COP-HAND-02", "code: COP-HAND-01", "commitment code COP-HAND-01 appears twice"),
        ("format: 1", "format: 2", "format: Input should be 1"),
        ("kind: ngo", "kind: charity", "organisations[ECPAT-INT].kind: Input should be"),
        ("scope: national", "scope: nasional", "plans[ID-PERPRES-87-2025].scope"),
        ("format: 1", "format: 1", ""),  # a control: the file as shipped parses
    ],
)
def test_bad_file_is_refused_naming_the_entry(
    write: Callable[[str], Path], old: str, new: str, message: str
) -> None:
    assert old in STARTER
    path = write(STARTER.replace(old, new, 1))

    if not message:
        assert catalogue.parse(path).plans
        return
    with pytest.raises(catalogue.CatalogueError) as raised:
        catalogue.parse(path)
    assert message in str(raised.value)


def test_file_without_sources_is_refused(write: Callable[[str], Path]) -> None:
    block = (
        "        source:\n          - https://inovasinews.net/?p=941\n        confidence: medium\n"
    )
    assert STARTER.count(block) == 1  # COP-HAND-02's only source
    text = STARTER.replace(block, "        confidence: medium\n")

    with pytest.raises(catalogue.CatalogueError, match=r"commitments\[COP-HAND-02\].source"):
        catalogue.parse(write(text))


def test_file_that_is_not_a_mapping_is_refused(write: Callable[[str], Path]) -> None:
    with pytest.raises(catalogue.CatalogueError, match="file: Input should be"):
        catalogue.parse(write("- just\n- a list\n"))


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PANTAU_DATABASE_URL": database_url, "PANTAU_LOG_JSON": "false"}
    return subprocess.run(
        [sys.executable, "-m", "app", "catalogue", "load", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_command_loads_then_reports_everything_unchanged(
    session: Session, database_url: str
) -> None:
    first = _run(database_url)
    second = _run(database_url)

    assert first.returncode == 0, first.stderr
    assert "plans: 2 created, 0 updated, 0 unchanged" in first.stdout
    assert "pillars: 0 created, 0 updated, 6 unchanged" in second.stdout
    assert session.exec(select(func.count()).select_from(Pillar)).one() == 6


def test_command_with_a_bad_file_writes_nothing_and_exits_1(
    session: Session, database_url: str, write: Callable[[str], Path]
) -> None:
    # The schema passes this file; the plan service refuses the second plan's period, after
    # the organisations and the first plan were written in the same transaction.
    path = write(STARTER.replace("period_end: 2029-12-31", "period_end: 2024-12-31"))

    result = _run(database_url, str(path))

    assert result.returncode == 1
    assert "plans[ID-PERPRES-87-2025]: period_end: period_end is before period_start." in (
        result.stderr
    )
    assert session.exec(select(func.count()).select_from(Organisation)).one() == 0
    assert session.exec(select(func.count()).select_from(Task)).one() == 0
