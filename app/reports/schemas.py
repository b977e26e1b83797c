from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.fields import NotNull
from app.http import Version
from app.models import Assessment, ReportState
from app.plans.schemas import Url

# A semester's account of one commitment fits in a few pages; more is a document to link to.
NARRATIVE_MAX = 20_000
Narrative = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NARRATIVE_MAX)]
Indicator = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4_000)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
PeriodId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-[QSqs]\d)?$")]

ASSESSMENT_NAMES = {
    Assessment.not_started: ("Not started", "Belum dimulai"),
    Assessment.limited: ("Limited", "Terbatas"),
    Assessment.substantial: ("Substantial", "Sebagian besar"),
    Assessment.complete: ("Complete", "Selesai"),
    Assessment.not_applicable: ("No longer applicable", "Tidak berlaku lagi"),
}


class Evidence(BaseModel):
    """A link to a published document, page or dataset: http(s) only."""

    model_config = ConfigDict(extra="forbid")

    url: Url
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None


EvidenceList = Annotated[list[Evidence], Field(max_length=50)]


class PeriodPublic(BaseModel):
    id: str = Field(examples=["2026-S2"])
    start: date
    end: date
    due: date = Field(description="Reports are due on this day, after the period's end.")
    started: bool


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitment: Ref = Field(description="Id or code.")
    task: UUID | None = None
    period: PeriodId
    assessment: Assessment
    narrative_en: Narrative | None = None
    narrative_id: Narrative | None = None
    indicator_value: Indicator | None = Field(
        default=None, description="What the commitment's output reached, against its target."
    )
    evidence: EvidenceList = []


class ReportUpdate(BaseModel):
    """PATCH body of a draft or returned report: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    assessment: Annotated[Assessment | None, NotNull()] = None
    narrative_en: Narrative | None = None
    narrative_id: Narrative | None = None
    indicator_value: Indicator | None = None
    evidence: Annotated[EvidenceList | None, NotNull()] = None
    version: Version | None = None


class ReportReview(BaseModel):
    """The body of submit, accept and return; a return needs a comment."""

    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = None
    version: Version | None = None


class ReportFilePublic(BaseModel):
    """An evidence file of a report; its bytes are at `.../files/{id}`."""

    id: UUID
    report_id: UUID
    name: str = Field(description="The name it was sent with, for the download.")
    content_type: str = Field(description="What its bytes are, read from them.")
    size: int
    sha256: str
    uploader_id: UUID | None
    created_at: datetime


class ReportPublic(BaseModel):
    id: UUID
    plan: str
    commitment: str
    task_id: UUID | None
    period: str
    state: ReportState
    assessment: Assessment
    narrative_en: str | None
    narrative_id: str | None
    indicator_value: str | None
    target: str | None = Field(description="The commitment's output and target year, if any.")
    evidence: list[Evidence]
    files: list[ReportFilePublic] = Field(default=[], description="Evidence files, oldest first.")
    author_id: UUID | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reviewer_id: UUID | None
    review_comment: str | None
    version: int
    created_at: datetime
    updated_at: datetime


Action = Literal["submit", "accept", "return"]
