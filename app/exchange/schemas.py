from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field


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


class FeedKeyCreated(BaseModel):
    key: str = Field(description="The feed key, shown this once; only its hash is kept.")
    calendar_url: str = Field(description="GET this address from a calendar program.")
