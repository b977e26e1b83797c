"""Every catalogue Pantau ships: provenance on every entry, each one loadable on its own and over
the previous starter, and docs/catalogue.md's counts in step with the files."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import Session, col, select

from app.catalogue import service as catalogue
from app.models import Basis, Commitment, Organisation, Plan, PlanKind, Task
from tests.conftest import NOW
from tests.factories import make_task

SHIPPED = catalogue.shipped_paths()
OPTIONAL = [path for path in SHIPPED if path != catalogue.starter_path()]
PREVIOUS = Path(__file__).parent / "fixtures" / "starter-2026-11.yaml"
DOCS = Path(__file__).parents[2] / "docs" / "catalogue.md"
MARKS = (Basis.primary, Basis.secondary, Basis.inferred)
MARK_NAMES = ", ".join(mark.value for mark in MARKS)


def _raw(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _load(session: Session, path: Path) -> catalogue.Report:
    report = catalogue.load(session, catalogue.parse(path), now=NOW)
    session.commit()
    return report


def provenance_problems(raw: dict[str, Any]) -> list[str]:
    """What a shipped entry lacks: a source, a confidence, a basis of the three marks, and, for
    an entry on the primary text, the article or row its notes quote."""
    found: list[str] = []
    for plan in raw.get("plans", []):
        for entry in plan.get("commitments", []):
            where = f"{plan['code']}/{entry.get('code')}"
            if not entry.get("source"):
                found.append(f"{where}: no source")
            if not entry.get("confidence"):
                found.append(f"{where}: no confidence")
            if entry.get("basis") not in MARKS:
                found.append(f"{where}: basis {entry.get('basis')!r} is not one of {MARK_NAMES}")
            cites = any(word in (entry.get("notes") or "") for word in ("Pasal", "Row:"))
            if entry.get("basis") == Basis.primary and not cites:
                found.append(f"{where}: primary, but its notes name no article or row")
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_entry_states_its_source_confidence_and_basis(path: Path) -> None:
    assert provenance_problems(_raw(path)) == []


def test_an_entry_without_provenance_is_reported() -> None:
    raw = _raw(catalogue.starter_path())
    entry = raw["plans"][1]["commitments"][0]
    del entry["source"]
    entry["basis"] = "confirmed"

    problems = provenance_problems(raw)

    assert problems == [
        f"ID-PERPRES-87-2025/{entry['code']}: no source",
        f"ID-PERPRES-87-2025/{entry['code']}: basis 'confirmed' is not one of {MARK_NAMES}",
    ]


def test_organisations_repeated_across_shipped_files_are_identical() -> None:
    seen: dict[str, dict[str, Any]] = {}
    for path in SHIPPED:
        for organisation in _raw(path)["organisations"]:
            first = seen.setdefault(organisation["code"], organisation)
            assert organisation == first, f"{path.name}: {organisation['code']} differs"
    assert {"KEMENDAGRI", "PEMPROV", "PEMKAB-PEMKOT"} <= set(seen)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_each_shipped_file_loads_on_a_fresh_database_and_again_unchanged(
    session: Session, path: Path
) -> None:
    first = _load(session, path)
    again = _load(session, path)

    assert first["plans"].created == len(_raw(path)["plans"])
    assert all(counts.created == counts.updated == 0 for counts in again.values())


def test_new_starter_over_the_previous_one_updates_entries_and_leaves_tasks(
    session: Session,
) -> None:
    _load(session, PREVIOUS)
    commitment = session.exec(select(Commitment).where(col(Commitment.code) == "COP-GOV-02")).one()
    task = make_task(session, commitment=commitment, title="Rakor pembinaan daerah")
    assert (commitment.basis, commitment.version) == (Basis.confirmed, 1)

    report = _load(session, catalogue.starter_path())

    session.refresh(commitment)
    session.refresh(task)
    assert (commitment.basis, commitment.version) == (Basis.primary, 2)
    assert (task.commitment_id, task.version, task.title) == (
        commitment.id,
        1,
        "Rakor pembinaan daerah",
    )
    assert report["commitments"].created == 4  # COP-GOV-04 to COP-GOV-07
    assert report["organisations"].created == 2  # the two levels of regional government
    perpres = session.exec(select(Plan).where(col(Plan.code) == "ID-PERPRES-87-2025")).one()
    assert perpres.kind is PlanKind.road_map
    assert "Nomor 124" in (perpres.notes or "")


@pytest.mark.parametrize("path", OPTIONAL, ids=lambda path: path.stem)
def test_optional_catalogue_over_the_previous_starter_keeps_its_organisations(
    session: Session, path: Path
) -> None:
    _load(session, PREVIOUS)
    kominfo = session.exec(select(Organisation).where(col(Organisation.code) == "KEMKOMDIGI")).one()

    report = _load(session, path)

    session.refresh(kominfo)
    assert report["plans"].created == 1
    assert kominfo.version == 1  # repeated identically: nothing to change
    kinds = {plan.code: plan.kind for plan in session.exec(select(Plan))}
    assert kinds["ASEAN-RPA-COEA-2021-2025"] is PlanKind.action_plan
    assert {(p["code"], p["kind"]) for p in _raw(path)["plans"]} <= set(kinds.items())


def test_pp_tunas_carries_its_dated_obligation_and_two_risk_levels(session: Session) -> None:
    _load(session, catalogue.path_of("pp-17-2025"))

    deadline = session.exec(select(Commitment).where(col(Commitment.code) == "TUNAS-T1")).one()
    risk = session.exec(select(Commitment).where(col(Commitment.code) == "TUNAS-P2")).one()

    assert (deadline.target_year, "27 March 2027" in (deadline.output or "")) == (2027, True)
    assert "tingkat risiko tinggi; atau b. tingkat risiko rendah" in (risk.notes or "")


def counts_table() -> str:
    """The table docs/catalogue.md shows: entries per plan and basis, from the files."""
    lines = [
        "| file | plan | kind | primary | secondary | inferred | total |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for path in SHIPPED:
        for plan in _raw(path)["plans"]:
            marks = Counter(entry["basis"] for entry in plan["commitments"])
            row = [marks[mark.value] for mark in MARKS]
            lines.append(
                f"| `{path.stem}` | {plan['code']} | {plan['kind']} | "
                + " | ".join(str(n) for n in [*row, sum(row)])
                + " |"
            )
    return "\n".join(lines)


def test_docs_show_the_counts_per_plan_and_basis_as_the_files_hold_them() -> None:
    assert counts_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/catalogue.md is out of step with the shipped catalogues; its table should read:\n"
        + counts_table()
    )


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


def test_command_loads_optional_catalogues_by_name_fresh_and_over_the_previous_starter(
    session: Session, database_url: str
) -> None:
    fresh = _run(database_url, "perpres-101-2022")
    previous = _run(database_url, str(PREVIOUS))
    tunas = _run(database_url, "pp-17-2025")
    starter = _run(database_url)

    for result in (fresh, previous, tunas, starter):
        assert result.returncode == 0, result.stderr
    assert "plans: 1 created, 0 updated, 0 unchanged" in fresh.stdout
    assert "plans: 1 created, 0 updated, 0 unchanged" in tunas.stdout
    assert "commitments: 4 created, 19 updated, 2 unchanged" in starter.stdout  # basis marks too
    assert len(session.exec(select(Plan)).all()) == 4
    assert session.exec(select(Task)).all() == []
