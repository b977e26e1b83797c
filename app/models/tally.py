"""The dashboard summary's rollup: task counts that every write keeps exact, so a summary reads
a few thousand rows instead of every task and owner (docs/decisions/0009)."""

from datetime import date
from uuid import UUID

from sqlmodel import Field, SQLModel

from app.models.base import str_enum
from app.models.task import OwnerRole, TaskStatus


class TaskTally(SQLModel, table=True):
    """Tasks by commitment and status."""

    __tablename__ = "task_tally"

    commitment_id: UUID = Field(primary_key=True)
    status: TaskStatus = Field(primary_key=True, sa_type=str_enum(TaskStatus))
    tasks: int = 0
    progress: int = 0  # summed; completed work counts 100
    undated: int = 0  # open and without a due date
    overdue: int = 0  # open and due before TallyDay.day


class OwnerTally(SQLModel, table=True):
    """Owned tasks by organisation, role, commitment, whether done, and year due (0 when done
    or undated): the year decides whether open work slipped past its commitment's target."""

    __tablename__ = "owner_tally"

    organisation_id: UUID = Field(primary_key=True)
    role: OwnerRole = Field(primary_key=True, sa_type=str_enum(OwnerRole, length=12))
    commitment_id: UUID = Field(primary_key=True)
    done: bool = Field(primary_key=True)
    due_year: int = Field(primary_key=True)
    tasks: int = 0
    overdue: int = 0  # open and due before TallyDay.day
    slips: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # task.slips summed


class TallyDay(SQLModel, table=True):
    """The day the tallies' `overdue` counts are reckoned at, moved on by the first write of a
    day; NULL (or no row) until the tallies are built from the tasks."""

    __tablename__ = "tally_day"

    scope: str = Field(primary_key=True, max_length=20)
    day: date | None = None
