"""The plans and what they commit to: organisations, plans, pillars, commitments, alignments."""

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, ForeignKey, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import Versioned, id_field, str_enum


class OrganisationKind(StrEnum):
    ministry = "ministry"
    agency = "agency"
    regional_body = "regional_body"
    ngo = "ngo"
    un_body = "un_body"
    company = "company"
    # Provincial and regency/city governments (pemerintah daerah), which Perpres 87/2025
    # Art. 4(2) makes implementers in their own right.
    regional_government = "regional_government"
    other = "other"


class PlanScope(StrEnum):
    regional = "regional"
    national = "national"


class PlanKind(StrEnum):
    """What sort of instrument a plan is: a road map and an action plan are tracked the same
    way, but a regulation's duties bind others and a strategy may have ended."""

    action_plan = "action_plan"
    road_map = "road_map"
    strategy = "strategy"
    regulation = "regulation"


class Confidence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class Basis(StrEnum):
    """What an entry rests on. `primary`: the legal or plan text itself; `secondary`: news, NGO
    or government reporting about it; `inferred`: the catalogue's reading of sources. The
    older `confirmed` (a cited source states it, of either kind) is still accepted."""

    primary = "primary"
    secondary = "secondary"
    inferred = "inferred"
    confirmed = "confirmed"
    unknown = "unknown"


class Organisation(Versioned, table=True):
    __tablename__ = "organisation"

    id: UUID = id_field()
    code: str = Field(max_length=40, unique=True, index=True)
    name_en: str = Field(max_length=300)
    name_id: str = Field(max_length=300)
    kind: OrganisationKind = Field(sa_type=str_enum(OrganisationKind))
    country: str | None = Field(default=None, max_length=2)


class OrganisationAlias(SQLModel, table=True):
    """Former and informal names (Kominfo became Komdigi): matched case-insensitively."""

    __tablename__ = "organisation_alias"

    id: UUID = id_field()
    organisation_id: UUID = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    )
    alias: str = Field(max_length=120)
    alias_key: str = Field(max_length=120, unique=True)


class Plan(Versioned, table=True):
    __tablename__ = "plan"

    id: UUID = id_field()
    code: str = Field(max_length=60, unique=True, index=True)
    title_en: str = Field(max_length=400)
    title_id: str = Field(max_length=400)
    scope: PlanScope = Field(sa_type=str_enum(PlanScope))
    kind: PlanKind = Field(
        default=PlanKind.action_plan,
        sa_type=str_enum(PlanKind),
        sa_column_kwargs={"server_default": PlanKind.action_plan.value},
    )
    issuer: str = Field(max_length=300)
    period_start: date
    period_end: date
    time_zone: str = Field(default="Asia/Jakarta", max_length=64)
    holiday_country: str = Field(default="ID", max_length=2)
    source_url: str | None = Field(default=None, max_length=1000)
    # Provenance and known gaps of the catalogued plan: what a user should know before trusting it.
    notes: str | None = None
    # Reminder policy override (offsets, overdue interval, escalation, check-in period).
    reminder_policy: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # Reporting periods override ({"cadence": "quarter", "due_days": 30}); None: the settings.
    reporting_policy: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class Pillar(Versioned, table=True):
    __tablename__ = "pillar"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: UUID = id_field()
    plan_id: UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    code: str = Field(max_length=60)
    title_en: str = Field(max_length=300)
    title_id: str = Field(max_length=300)
    position: int = 0


class Commitment(Versioned, table=True):
    __tablename__ = "commitment"

    id: UUID = id_field()
    plan_id: UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    pillar_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("pillar.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    code: str = Field(max_length=60, unique=True, index=True)
    title_en: str = Field(max_length=500)
    title_id: str = Field(max_length=500)
    description_en: str | None = None
    description_id: str | None = None
    focus: str | None = Field(default=None, max_length=300)
    output: str | None = Field(default=None, max_length=1000)
    target_year: int | None = None
    lead_organisation_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("organisation.id", ondelete="SET NULL"), nullable=True),
    )
    source: list[str] = Field(default_factory=list, sa_type=JSON)
    confidence: Confidence = Field(default=Confidence.medium, sa_type=str_enum(Confidence))
    basis: Basis = Field(default=Basis.confirmed, sa_type=str_enum(Basis))
    notes: str | None = None
    position: int = 0


class CommitmentOrganisation(SQLModel, table=True):
    """A commitment's related organisations (K/L terkait)."""

    __tablename__ = "commitment_organisation"

    commitment_id: UUID = Field(
        sa_column=Column(ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True)
    )
    organisation_id: UUID = Field(
        sa_column=Column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    )


class Alignment(Versioned, table=True):
    """A national commitment contributing to a regional one."""

    __tablename__ = "alignment"
    __table_args__ = (UniqueConstraint("national_commitment_id", "regional_commitment_id"),)

    id: UUID = id_field()
    national_commitment_id: UUID = Field(
        sa_column=Column(ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False)
    )
    regional_commitment_id: UUID = Field(
        sa_column=Column(ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False)
    )
    note: str | None = Field(default=None, max_length=1000)
