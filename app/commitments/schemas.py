from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.fields import Bounded, NotNull, WholeNumber
from app.http import Version
from app.models import Basis, Confidence
from app.plans.schemas import Code, Notes, Position, Ref, Url

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Focus = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Output = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
TargetYear = Annotated[WholeNumber, Field(ge=2000, le=2100), Bounded()]
# A reference to another resource in a body: its id or code (organisations also by alias).
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Sources = Annotated[list[Url], Field(max_length=50)]
References = Annotated[list[Reference], Field(max_length=100)]
AlignmentNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]

# The levels of the matrix, as the Stranas PKTA annex (Perpres 101/2022, §3.2) defines them; the
# Perpres 87/2025 annex uses the same columns. They describe the fields in the OpenAPI document.
TITLE = (
    "The commitment. In the Perpres matrix, a key intervention (intervensi kunci): a core"
    " activity (kegiatan pokok) that carries out the main programme of its focus strategy."
)
FOCUS = "Focus strategy (fokus strategi): the main programme (program utama) the commitment serves."
OUTPUT = "Expected output (keluaran) of the key intervention."
TARGET_YEAR = "Target year (target waktu pelaksanaan)."
LEAD = (
    "Responsible ministry or agency (K/L penanggung jawab): the one with the authority, duties"
    " and functions to run the main programme and core activity. Id, code or alias."
)
RELATED = (
    "Related ministries and agencies (K/L terkait): those whose duties and functions bear on"
    " reaching the responsible one's target. Ids, codes or aliases."
)
PILLAR = "Strategy (strategi) or focus area the commitment sits under; none for plan-wide work."
SOURCE = "Where the entry comes from: URLs, for a legal text down to the article or matrix row."
CONFIDENCE = "How sure the catalogue is of the entry: high, medium or low."
BASIS = (
    "What the entry rests on: primary (the legal or plan text itself), secondary (reporting"
    " about it), inferred (the catalogue's reading of its sources), unknown; confirmed is the"
    " older mark for a fact a cited source states, of either kind."
)


class CommitmentFields(BaseModel):
    """What a commitment says, apart from where it sits: shared by the API and the catalogue."""

    model_config = ConfigDict(extra="forbid")

    title_en: Annotated[Title, Field(description=TITLE)]
    title_id: Annotated[Title, Field(description=TITLE)]
    description_en: Description | None = None
    description_id: Description | None = None
    focus: Annotated[Focus | None, Field(description=FOCUS)] = None
    output: Annotated[Output | None, Field(description=OUTPUT)] = None
    target_year: Annotated[TargetYear | None, Field(description=TARGET_YEAR)] = None
    source: Sources = Field(default_factory=list, description=SOURCE)
    confidence: Confidence = Field(default=Confidence.medium, description=CONFIDENCE)
    basis: Basis = Field(default=Basis.confirmed, description=BASIS)
    notes: Notes | None = None
    position: Position = 0


class CommitmentCreate(CommitmentFields):
    plan: Reference
    code: Code
    pillar: Annotated[Reference | None, Field(description=PILLAR)] = None
    lead_organisation: Annotated[Reference | None, Field(description=LEAD)] = None
    related_organisations: References = Field(default_factory=list, description=RELATED)


class CommitmentUpdate(BaseModel):
    """PATCH body: only the fields sent change. The code and the plan stay: they are the keys
    that tasks, alignments and the catalogue hold on to."""

    model_config = ConfigDict(extra="forbid")

    title_en: Annotated[Title | None, NotNull(), Field(description=TITLE)] = None
    title_id: Annotated[Title | None, NotNull(), Field(description=TITLE)] = None
    description_en: Description | None = None
    description_id: Description | None = None
    focus: Annotated[Focus | None, Field(description=FOCUS)] = None
    output: Annotated[Output | None, Field(description=OUTPUT)] = None
    target_year: Annotated[TargetYear | None, Field(description=TARGET_YEAR)] = None
    source: Annotated[Sources | None, NotNull(), Field(description=SOURCE)] = None
    confidence: Annotated[Confidence | None, NotNull(), Field(description=CONFIDENCE)] = None
    basis: Annotated[Basis | None, NotNull(), Field(description=BASIS)] = None
    notes: Notes | None = None
    position: Annotated[Position | None, NotNull()] = None
    pillar: Annotated[Reference | None, Field(description=PILLAR)] = None
    lead_organisation: Annotated[Reference | None, Field(description=LEAD)] = None
    related_organisations: Annotated[References | None, NotNull(), Field(description=RELATED)] = (
        None
    )
    version: Version | None = None


class AlignmentLink(BaseModel):
    """One alignment seen from a commitment: the commitment on the other side."""

    id: UUID
    commitment: Ref
    note: str | None


class CommitmentPublic(BaseModel):
    id: UUID
    code: str
    plan: Ref
    pillar: Ref | None = Field(description=PILLAR)
    title_en: str = Field(description=TITLE)
    title_id: str = Field(description=TITLE)
    description_en: str | None
    description_id: str | None
    focus: str | None = Field(description=FOCUS)
    output: str | None = Field(description=OUTPUT)
    target_year: int | None = Field(description=TARGET_YEAR)
    lead_organisation: Ref | None = Field(description=LEAD)
    related_organisations: list[Ref] = Field(description=RELATED)
    source: list[str] = Field(description=SOURCE)
    confidence: Confidence = Field(description=CONFIDENCE)
    basis: Basis = Field(description=BASIS)
    notes: str | None
    position: int
    contributes_to: list[AlignmentLink] = Field(
        description="Regional commitments this (national) commitment contributes to."
    )
    contributions: list[AlignmentLink] = Field(
        description="National commitments that contribute to this (regional) commitment."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class AlignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_commitment: Reference
    regional_commitment: Reference
    note: AlignmentNote | None = None


class AlignmentPublic(BaseModel):
    id: UUID
    national_commitment: Ref
    regional_commitment: Ref
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime
