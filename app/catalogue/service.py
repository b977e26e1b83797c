"""Loading a catalogue: an upsert by code through the same services the API writes with.

Loading is additive and idempotent: an entry that matches the database changes nothing (no
version, history or change-feed row); nothing absent from the file is ever deleted, since tasks
may hang on it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from app.catalogue.schemas import (
    AlignmentEntry,
    CatalogueFile,
    CommitmentEntry,
    PlanEntry,
    entry_label,
)
from app.commitments import alignments
from app.commitments import service as commitments
from app.commitments.schemas import AlignmentCreate, CommitmentCreate, CommitmentUpdate
from app.errors import AppError
from app.i18n import translate
from app.models import Organisation, Plan
from app.organisations import service as organisations
from app.organisations.schemas import OrganisationCreate, OrganisationUpdate
from app.plans import pillars
from app.plans import service as plans
from app.plans.schemas import PillarCreate, PillarUpdate, PlanCreate, PlanUpdate

KINDS = ("organisations", "plans", "pillars", "commitments", "alignments")


class CatalogueError(Exception):
    """A file that cannot be loaded; the message names the entry at fault."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, before: int | None, after: int) -> None:
        if before is None:
            self.created += 1
        elif before != after:
            self.updated += 1
        else:
            self.unchanged += 1


Report = dict[str, Counts]


def shipped_paths() -> list[Path]:
    """Every catalogue shipped with Pantau: the starter and the optional related instruments."""
    return sorted(Path(str(files("app.catalogue").joinpath("data"))).glob("*.yaml"))


def starter_path() -> Path:
    return Path(str(files("app.catalogue").joinpath("data", "starter.yaml")))


def path_of(file: str | None) -> Path:
    """FILE as given, or a shipped catalogue by name (`pp-17-2025`), or the starter."""
    if file is None:
        return starter_path()
    shipped = {path.stem: path for path in shipped_paths()}
    given = Path(file)
    return given if given.exists() or file not in shipped else shipped[file]


def parse(path: Path) -> CatalogueFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path}: cannot be read ({error})") from error
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a date such as 2027-02-30
        raise CatalogueError(f"{path}: not valid YAML ({error})") from error
    try:
        return CatalogueFile.model_validate(raw)
    except ValidationError as error:
        lines = [
            f"{entry_label(raw, tuple(item['loc'])) or 'file'}: {item['msg']}"
            for item in error.errors()
        ]
        raise CatalogueError(f"{path}:\n  " + "\n  ".join(lines)) from error


def _explain(error: AppError) -> str:
    if error.errors:
        return "; ".join(f"{item['field']}: {item['message']}" for item in error.errors)
    return translate(error.detail, "en", **error.params) if error.detail else error.slug


@contextmanager
def _entry(label: str) -> Iterator[None]:
    try:
        yield
    except AppError as error:
        raise CatalogueError(f"{label}: {_explain(error)}") from error


def _fields(entry: Any, *, drop: set[str]) -> dict[str, Any]:
    """The fields the file states for an entry: the only ones a reload may change."""
    return dict(entry.model_dump(include=entry.model_fields_set - drop))


def load(session: Session, catalogue: CatalogueFile, *, now: datetime) -> Report:
    report = {kind: Counts() for kind in KINDS}
    for organisation in catalogue.organisations:
        with _entry(f"organisations[{organisation.code}]"):
            _organisation(session, organisation, report, now)
    for plan_entry in catalogue.plans:
        _plan(session, plan_entry, report, now)
    for alignment in catalogue.alignments:
        with _entry(f"alignments[{alignment.national}->{alignment.regional}]"):
            _alignment(session, alignment, report, now)
    return report


def _organisation(
    session: Session, entry: OrganisationCreate, report: Report, now: datetime
) -> None:
    by_code = func.upper(Organisation.code) == entry.code.upper()  # by code, never by alias
    existing = session.exec(select(Organisation).where(by_code)).first()
    if existing is None:
        created = organisations.create(session, entry, actor_id=None, now=now)
        report["organisations"].add(None, created.version)
        return
    before = existing.version
    fields = _fields(entry, drop={"code", "aliases"})
    aliases = organisations.aliases_of(session, [existing.id])[existing.id]
    known = {organisations.alias_key(a) for a in [*aliases, existing.code]}
    added = [a for a in entry.aliases if organisations.alias_key(a) not in known]
    if added:  # merged, never replaced: aliases added by people stay
        fields["aliases"] = aliases + list(dict.fromkeys(added))
    organisations.update(session, existing, OrganisationUpdate(**fields), actor_id=None, now=now)
    report["organisations"].add(before, existing.version)


def _plan(session: Session, entry: PlanEntry, report: Report, now: datetime) -> None:
    with _entry(f"plans[{entry.code}]"):
        plan = plans.find(session, entry.code)
        before = plan.version if plan else None
        if plan is None:
            data = PlanCreate(**entry.model_dump(exclude={"pillars", "commitments"}))
            plan = plans.create(session, data, actor_id=None, now=now)
        else:
            fields = _fields(entry, drop={"code", "pillars", "commitments"})
            plans.update(session, plan, PlanUpdate(**fields), actor_id=None, now=now)
        report["plans"].add(before, plan.version)
        for pillar in entry.pillars:
            with _entry(f"plans[{entry.code}].pillars[{pillar.code}]"):
                _pillar(session, plan, pillar, report, now)
    for position, commitment in enumerate(entry.commitments, start=1):
        with _entry(f"plans[{entry.code}].commitments[{commitment.code}]"):
            _commitment(session, plan, commitment, position, report, now)


def _pillar(
    session: Session, plan: Plan, entry: PillarCreate, report: Report, now: datetime
) -> None:
    pillar = pillars.find_in_plan(session, plan.id, entry.code)
    if pillar is None:
        pillar = pillars.create(session, plan, entry, actor_id=None, now=now)
        report["pillars"].add(None, pillar.version)
        return
    before = pillar.version
    update = PillarUpdate(**_fields(entry, drop={"code"}))
    pillars.update(session, pillar, update, actor_id=None, now=now)
    report["pillars"].add(before, pillar.version)


def _commitment(
    session: Session,
    plan: Plan,
    entry: CommitmentEntry,
    position: int,
    report: Report,
    now: datetime,
) -> None:
    fields = _fields(entry, drop={"code"})
    fields.setdefault("position", position)  # the file's order, unless it says otherwise
    existing = commitments.find(session, entry.code)
    if existing is None:
        data = CommitmentCreate(plan=str(plan.id), code=entry.code, **fields)
        created = commitments.create(session, data, actor=None, now=now)
        report["commitments"].add(None, created.version)
        return
    if existing.plan_id != plan.id:
        raise CatalogueError(f"commitment {entry.code} belongs to another plan in the database")
    before = existing.version
    commitments.update(session, existing, CommitmentUpdate(**fields), actor_id=None, now=now)
    report["commitments"].add(before, existing.version)


def _alignment(session: Session, entry: AlignmentEntry, report: Report, now: datetime) -> None:
    national = commitments.resolve(session, entry.national)
    regional = commitments.resolve(session, entry.regional)
    existing = alignments.find_pair(session, national.id, regional.id)
    if existing is None:
        data = AlignmentCreate(
            national_commitment=entry.national, regional_commitment=entry.regional, note=entry.note
        )
        created = alignments.create(session, data, actor=None, now=now)
        report["alignments"].add(None, created.version)
        return
    before = existing.version
    if "note" in entry.model_fields_set:
        alignments.update_note(session, existing, entry.note, actor_id=None, now=now)
    report["alignments"].add(before, existing.version)
