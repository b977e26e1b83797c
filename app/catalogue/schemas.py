"""The catalogue file format: the API's own schemas, nested, with the cross-references checked.

A field left out of an entry is left alone when the entry is loaded again, so an operator's
later edit of it survives; a field written in the file (even as null) is the file's to set.
"""

from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.commitments.schemas import AlignmentNote, CommitmentFields, References, Sources
from app.models import Basis, Confidence, PlanScope
from app.organisations.schemas import OrganisationCreate
from app.organisations.service import alias_key
from app.plans.schemas import Code, PillarCreate, PlanCreate


class CommitmentEntry(CommitmentFields):
    code: Code
    pillar: Code | None = None  # None: plan-wide work such as reviews
    lead_organisation: Code | None = None
    related_organisations: References = Field(default_factory=list)
    # Provenance is what makes a catalogue entry trustworthy: the file must state it.
    source: Annotated[Sources, Field(min_length=1)]
    confidence: Confidence
    basis: Basis


class PlanEntry(PlanCreate):
    pillars: list[PillarCreate] = Field(default_factory=list)
    commitments: list[CommitmentEntry] = Field(default_factory=list)


class AlignmentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national: Code
    regional: Code
    note: AlignmentNote | None = None


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


class CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal[1]
    organisations: list[OrganisationCreate] = Field(default_factory=list)
    plans: list[PlanEntry] = Field(default_factory=list)
    alignments: list[AlignmentEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> "CatalogueFile":
        problems = [*self._duplicate_keys(), *self._commitment_problems()]
        problems += self._alignment_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _duplicate_keys(self) -> list[str]:
        codes = [o.code.upper() for o in self.organisations]
        aliases = [alias_key(a) for o in self.organisations for a in o.aliases]
        found = [f"organisation code {c} appears twice" for c in _duplicates(codes)]
        found += [f"alias {a!r} is given to two organisations" for a in _duplicates(aliases)]
        found += [f"plan code {c} appears twice" for c in _duplicates([p.code for p in self.plans])]
        every = [c.code.upper() for p in self.plans for c in p.commitments]
        found += [f"commitment code {c} appears twice" for c in _duplicates(every)]
        for plan in self.plans:
            pillars = _duplicates([pillar.code.upper() for pillar in plan.pillars])
            found += [f"plans[{plan.code}]: pillar code {c} appears twice" for c in pillars]
        return found

    def _commitment_problems(self) -> list[str]:
        organisations = {o.code.upper() for o in self.organisations}
        found: list[str] = []
        for plan in self.plans:
            pillars = {pillar.code.upper() for pillar in plan.pillars}
            for entry in plan.commitments:
                where = f"plans[{plan.code}].commitments[{entry.code}]"
                if entry.pillar and entry.pillar.upper() not in pillars:
                    found.append(f"{where}: pillar {entry.pillar} is not a pillar of the plan")
                named = [entry.lead_organisation or "", *entry.related_organisations]
                unknown = [code for code in named if code and code.upper() not in organisations]
                found += [f"{where}: organisation {c} is not in organisations" for c in unknown]
        return found

    def _alignment_problems(self) -> list[str]:
        scope_of = {
            entry.code.upper(): plan.scope for plan in self.plans for entry in plan.commitments
        }
        found: list[str] = []
        for entry in self.alignments:
            where = f"alignments[{entry.national}->{entry.regional}]"
            for code, scope in (
                (entry.national, PlanScope.national),
                (entry.regional, PlanScope.regional),
            ):
                if scope_of.get(code.upper()) is not scope:
                    found.append(f"{where}: {code} is not a commitment of a {scope.value} plan")
        pairs = [f"{a.national.upper()}->{a.regional.upper()}" for a in self.alignments]
        found += [f"alignment {pair} appears twice" for pair in _duplicates(pairs)]
        return found


def entry_label(raw: Any, location: tuple[int | str, ...]) -> str:
    """A pydantic error location with list indexes replaced by the entries' codes, so the
    message names the entry: plans[ID-PERPRES-87-2025].commitments[COP-PREV-01].title_id."""
    parts: list[str] = []
    node = raw
    for part in location:
        if isinstance(part, int) and parts and isinstance(node, list):
            node = node[part] if 0 <= part < len(node) else None
            parts[-1] += f"[{_entry_name(node, part)}]"
            continue
        node = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        parts.append(str(part))
    return ".".join(parts)


def _entry_name(node: Any, index: int) -> str:
    if isinstance(node, dict):
        if node.get("code"):
            return str(node["code"])
        if node.get("national") or node.get("regional"):
            return f"{node.get('national')}->{node.get('regional')}"
    return f"#{index + 1}"
