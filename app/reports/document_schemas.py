"""The period report of a plan as data: the JSON answer, and what the HTML and Markdown show."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from app.dashboard.schemas import OrganisationSummary, PlanSummary
from app.models import Assessment, ReportState, TaskStatus
from app.reports.schemas import Evidence, PeriodPublic, ReportPublic


class TaskLine(BaseModel):
    id: UUID
    title: str
    commitment: str
    lead_organisation: str | None
    status: TaskStatus
    progress: int
    due_date: date | None
    days_overdue: int | None = None


class SlipLine(BaseModel):
    """A due date moved to a later day, as the task's history keeps it (decision 16)."""

    task: UUID
    title: str
    commitment: str
    lead_organisation: str | None
    old_due_date: date | None
    new_due_date: date | None
    reason: str | None = Field(description="The due_date_reason given with the move.")
    actor: str | None = Field(description="The name of who moved it.")
    at: datetime


class CommitmentLine(BaseModel):
    code: str
    title: str
    pillar: str | None
    lead_organisation: str | None
    report: ReportPublic | None = Field(description="Its report for the period, if filed.")


class NationalLine(BaseModel):
    """A member state's commitment aligned to a regional one."""

    plan: str
    plan_title: str
    country: str | None
    code: str
    title: str
    progress: float | None = Field(description="Mean progress of its tasks, cancelled left out.")
    tasks: int
    report_period: str | None
    report_state: ReportState | None
    assessment: Assessment | None
    evidence: list[Evidence]


class RollupLine(BaseModel):
    code: str
    title: str
    national: list[NationalLine]


class PeriodReport(BaseModel):
    plan: str
    plan_title: str
    scope: str
    language: str
    period: PeriodPublic
    today: date
    data_version: int
    totals: PlanSummary = Field(description="The same numbers as GET /summary?plan= now.")
    organisations: list[OrganisationSummary]
    completed: list[TaskLine] = Field(description="Tasks moved to completed in the period.")
    overdue: dict[str, list[TaskLine]] = Field(description="Open work past due, by lead.")
    slipped: list[SlipLine] = Field(
        description="Due dates moved to a later day within the period: old and new due date, "
        "the reason and who moved it, by lead organisation."
    )
    reports: list[CommitmentLine]
    missing: list[CommitmentLine] = Field(description="Commitments with no report yet.")
    rollup: list[RollupLine] = Field(description="Regional plans: aligned national work.")
