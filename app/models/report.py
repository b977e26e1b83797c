"""Periodic reports on commitments: what the lead organisation says it achieved in a period."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, ForeignKey, Text, UniqueConstraint
from sqlmodel import Field

from app.models.base import UTCDateTime, Versioned, id_field, str_enum


class Assessment(StrEnum):
    """The self-assessed completion scale of OGP-style reporting."""

    not_started = "not_started"
    limited = "limited"
    substantial = "substantial"
    complete = "complete"
    not_applicable = "not_applicable"


class ReportState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class Report(Versioned, table=True):
    __tablename__ = "report"
    # One report per commitment and period: a second one is a conflict, not a new version.
    __table_args__ = (UniqueConstraint("commitment_id", "period"),)

    id: UUID = id_field()
    plan_id: UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    commitment_id: UUID = Field(
        sa_column=Column(ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False)
    )
    task_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("task.id", ondelete="SET NULL"), nullable=True),
    )
    period: str = Field(max_length=12, index=True)
    state: ReportState = Field(default=ReportState.draft, sa_type=str_enum(ReportState))
    assessment: Assessment = Field(sa_type=str_enum(Assessment))
    narrative_en: str | None = Field(default=None, sa_type=Text)
    narrative_id: str | None = Field(default=None, sa_type=Text)
    indicator_value: str | None = Field(default=None, max_length=300)
    # [{"url": ..., "title": ...}]: links only; files are not stored yet.
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    author_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewer_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
    review_comment: str | None = Field(default=None, sa_type=Text)


class ReportFile(Versioned, table=True):
    """An evidence file of a report: the bytes are in the evidence store (app.storage) under
    `storage_key`; the name is the sender's, for the download only."""

    __tablename__ = "report_file"

    id: UUID = id_field()
    report_id: UUID = Field(
        sa_column=Column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200, unique=True)
    uploader_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
    )
