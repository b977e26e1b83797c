from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from app.models import TaskStatus
from app.tasks.schemas import Schedule


class Counts(BaseModel):
    """Tasks counted by status and by schedule; `completion` is their mean progress (0–100),
    cancelled tasks left out, so a plan whose work is all done reads 100."""

    tasks: int
    by_status: dict[TaskStatus, int]
    by_schedule: dict[Schedule, int]
    completion: float


class PillarSummary(Counts):
    id: UUID | None = Field(description="Null for plan-wide commitments under no pillar.")
    code: str | None
    title: str
    position: int


class PlanSummary(Counts):
    id: UUID
    code: str
    title: str
    pillars: list[PillarSummary]


class OrganisationSummary(BaseModel):
    """The tasks an organisation owns (lead or support)."""

    id: UUID
    code: str
    name: str
    tasks: int
    lead: int
    open: int
    overdue: int
    slipped: int = Field(
        description="Open work due after its commitment's target year, or still open once "
        "that year has ended."
    )
    done: int
    slips: int = Field(
        description="Moves of a due date to a later day (each with its reason in the task's "
        "history), summed over the tasks the organisation owns."
    )


class TaskBrief(BaseModel):
    id: UUID
    title: str
    plan: str
    commitment: str
    lead_organisation: str | None
    status: TaskStatus
    progress: int
    due_date: date
    days_overdue: int = Field(description="Negative for a deadline still ahead.")


class Summary(BaseModel):
    """A whole dashboard in one answer; titles and labels are in the request's language."""

    today: date
    data_version: int
    locale: str
    totals: Counts
    plans: list[PlanSummary]
    organisations: list[OrganisationSummary]
    most_overdue: list[TaskBrief]
    upcoming: list[TaskBrief]
    labels: dict[str, dict[str, str]]
