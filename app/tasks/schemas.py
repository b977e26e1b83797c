from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import SkipJsonSchema

from app.fields import Bounded, IsoDate, IsoDateTime, NotNull, WholeNumber
from app.http import Version
from app.models import OwnerRole, Priority, TaskStatus
from app.reminders.policy import ReminderPolicy

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# A commitment by id or code, an organisation by id, code or alias.
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
# Checked in app.tasks.query, whose message says what to send; the document says it too.
Assignee = Annotated[
    Ref,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "uuid"},
                {"type": "string", "pattern": "^[Mm][Ee]$"},
            ]
        }
    ),
]
Progress = Annotated[WholeNumber, Field(ge=0, le=100), Bounded()]


class Schedule(StrEnum):
    no_due_date = "no_due_date"
    on_track = "on_track"
    due_soon = "due_soon"
    overdue = "overdue"
    done = "done"


class OwnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: Ref = Field(description="Organisation id, code or alias.")
    role: OwnerRole


Owners = Annotated[list[OwnerIn], Field(min_length=1, max_length=50)]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitment: Ref = Field(description="Commitment id or code, such as COP-PREV-01.")
    title: Title
    description: Description | None = None
    start_date: IsoDate | None = None
    due_date: IsoDate | None = None
    priority: Priority = Priority.medium
    progress: Progress = 0
    owners: Owners
    assignee_id: UUID | None = None
    reminder_policy: ReminderPolicy | None = Field(
        default=None,
        description='Overrides the plan\'s reminders; {"enabled": false} silences them.',
    )


class TaskUpdate(BaseModel):
    """PATCH body: only the fields sent are changed; `version` may stand in for If-Match."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Title | None, NotNull()] = None
    description: Description | None = None
    start_date: IsoDate | None = None
    due_date: IsoDate | None = None
    due_date_reason: Note | None = Field(
        default=None, description="Why the due date moves: required when it changes."
    )
    priority: Annotated[Priority | None, NotNull()] = None
    progress: Annotated[Progress | None, NotNull()] = None
    owners: Annotated[Owners | None, NotNull()] = None
    assignee_id: UUID | None = None
    reminder_policy: ReminderPolicy | None = None
    note: Note | None = None
    version: Version | None = None
    # Accepted only to answer with a pointer to the transitions endpoint.
    status: SkipJsonSchema[Any] = None


class TaskTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TaskStatus
    note: Note | None = None
    version: Version | None = None


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Note


class TaskQuery(BaseModel):
    """The task filters of a query, but the plan's: GET /tasks adds the plan, a plan's matrix
    (app.exchange.schemas.MatrixFilters) takes it from its path. They combine with AND."""

    pillar: Ref | None = Field(default=None, description="Pillar code or id.")
    commitment: Ref | None = Field(default=None, description="Commitment code or id.")
    organisation: Ref | None = Field(
        default=None, description="Owner organisation: code, alias or id."
    )
    status: list[TaskStatus] = Field(default_factory=list, description="Repeatable.")
    schedule: list[Schedule] = Field(default_factory=list, description="Repeatable.")
    due_before: IsoDate | None = Field(default=None, description="Due on or before this day.")
    due_after: IsoDate | None = Field(default=None, description="Due on or after this day.")
    updated_after: IsoDateTime | None = Field(default=None, description="Changed after.")
    assignee: Assignee | None = Field(default=None, description="A user id, or `me`.")
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="Text in the title or description, ignoring case."
    )


class _PlanQuery(BaseModel):
    plan: Ref | None = Field(default=None, description="Plan code or id.")


# Pydantic orders fields from the last base to the first: `plan` stays the first parameter
# of GET /tasks in the document, where it was before the filters were shared.
class TaskFilters(TaskQuery, _PlanQuery):
    """The query of GET /tasks; every filter is optional and they combine with AND."""


class CommitmentRef(BaseModel):
    id: UUID
    code: str
    title_en: str
    title_id: str


class CodeRef(BaseModel):
    id: UUID
    code: str


class OrganisationRef(BaseModel):
    id: UUID
    code: str
    name_en: str
    name_id: str


class OwnerPublic(BaseModel):
    organisation: OrganisationRef
    role: OwnerRole


class TaskPublic(BaseModel):
    id: UUID
    commitment: CommitmentRef
    plan: CodeRef
    pillar: CodeRef | None
    title: str
    description: str | None
    status: TaskStatus
    progress: int
    start_date: date | None
    due_date: date | None
    slips: int = Field(description="Times the due date was moved later.")
    priority: Priority
    owners: list[OwnerPublic]
    assignee_id: UUID | None
    reminder_policy: dict[str, Any] | None = None
    schedule: Schedule
    version: int
    created_at: datetime
    updated_at: datetime


class ActorRef(BaseModel):
    id: UUID
    name: str | None


class HistoryPublic(BaseModel):
    id: int
    action: str
    field: str | None
    old: Any
    new: Any
    note: str | None
    actor: ActorRef | None
    at: datetime
