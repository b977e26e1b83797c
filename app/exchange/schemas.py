from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.tasks.schemas import TaskQuery


class ImportAction(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


class ImportedRow(BaseModel):
    row: int = Field(description="The row number a spreadsheet shows; the header is row 1.")
    action: ImportAction
    id: UUID | None = Field(description="The task's id; null for a row a dry run would create.")


class ImportReport(BaseModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    rows: list[ImportedRow]


class MatrixRow(ImportedRow):
    """A plan matrix's row names a strategy, a commitment and maybe a task: what became of each
    (`action` is the most of them: created, else updated, else unchanged)."""

    strategy: ImportAction | None = Field(description="Null for a row without a strategy.")
    commitment: ImportAction
    task: ImportAction | None = Field(description="Null for a row without a task.")


class MatrixReport(BaseModel):
    """The answer to a plan matrix's import: a task sheet's, with the plan and per row what
    became of its strategy, commitment and task."""

    dry_run: bool
    kind: Literal["matrix"] = "matrix"
    plan: str = Field(description="The code of the plan the matrix was applied to.")
    created: int
    updated: int
    unchanged: int
    rows: list[MatrixRow]


class FeedKeyCreated(BaseModel):
    key: str = Field(description="The feed key, shown this once; only its hash is kept.")
    calendar_url: str = Field(description="GET this address from a calendar program.")


class MatrixFilters(TaskQuery):
    """The query of a plan's matrix: the filters of GET /tasks but the plan (the path names
    it), and a reporting period; they combine with AND."""

    period: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] | None = Field(
        default=None,
        description="A reporting period of the plan (GET /plans/{ref}/periods), such as "
        "2026-S2: the tasks due in it or active during it, and the period's totals.",
        examples=["2026-S2"],
    )
