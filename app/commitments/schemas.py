from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.models import Basis, Confidence
from app.plans.schemas import Code, Notes, Position, Ref, Url, not_null

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Focus = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Output = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
TargetYear = Annotated[int, Field(ge=2000, le=2100)]
# A reference to another resource in a body: its id or code (organisations also by alias).
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Sources = Annotated[list[Url], Field(max_length=50)]
References = Annotated[list[Reference], Field(max_length=100)]
AlignmentNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class CommitmentFields(BaseModel):
    """What a commitment says, apart from where it sits: shared by the API and the catalogue."""

    model_config = ConfigDict(extra="forbid")

    title_en: Title
    title_id: Title
    description_en: Description | None = None
    description_id: Description | None = None
    focus: Focus | None = None
    output: Output | None = None
    target_year: TargetYear | None = None
    source: Sources = Field(default_factory=list)
    confidence: Confidence = Confidence.medium
    basis: Basis = Basis.confirmed
    notes: Notes | None = None
    position: Position = 0


class CommitmentCreate(CommitmentFields):
    plan: Reference
    code: Code
    pillar: Reference | None = None
    lead_organisation: Reference | None = None
    related_organisations: References = Field(default_factory=list)


class CommitmentUpdate(BaseModel):
    """PATCH body: only the fields sent change. The code and the plan stay: they are the keys
    that tasks, alignments and the catalogue hold on to."""

    model_config = ConfigDict(extra="forbid")

    title_en: Annotated[Title | None, AfterValidator(not_null)] = None
    title_id: Annotated[Title | None, AfterValidator(not_null)] = None
    description_en: Description | None = None
    description_id: Description | None = None
    focus: Focus | None = None
    output: Output | None = None
    target_year: TargetYear | None = None
    source: Annotated[Sources | None, AfterValidator(not_null)] = None
    confidence: Annotated[Confidence | None, AfterValidator(not_null)] = None
    basis: Annotated[Basis | None, AfterValidator(not_null)] = None
    notes: Notes | None = None
    position: Annotated[Position | None, AfterValidator(not_null)] = None
    pillar: Reference | None = None
    lead_organisation: Reference | None = None
    related_organisations: Annotated[References | None, AfterValidator(not_null)] = None
    version: int | None = None


class AlignmentLink(BaseModel):
    """One alignment seen from a commitment: the commitment on the other side."""

    id: UUID
    commitment: Ref
    note: str | None


class CommitmentPublic(BaseModel):
    id: UUID
    code: str
    plan: Ref
    pillar: Ref | None
    title_en: str
    title_id: str
    description_en: str | None
    description_id: str | None
    focus: str | None
    output: str | None
    target_year: int | None
    lead_organisation: Ref | None
    related_organisations: list[Ref]
    source: list[str]
    confidence: Confidence
    basis: Basis
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
