from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, Versioned, created_at_field, id_field, str_enum


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    contributor = "contributor"
    viewer = "viewer"


class Locale(StrEnum):
    en = "en"
    id = "id"


class User(Versioned, table=True):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: UUID = id_field()
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, unique=True, index=True)
    role: Role = Field(sa_type=str_enum(Role))
    organisation_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("organisation.id", ondelete="SET NULL"), nullable=True),
    )
    locale: Locale = Field(default=Locale.en, sa_type=str_enum(Locale, length=8))
    time_zone: str | None = Field(default=None, max_length=64)
    digest: bool = False
    active: bool = True
    # Hash of the per-user calendar feed key (calendar clients cannot send headers).
    feed_key_hash: str | None = Field(default=None, max_length=64, unique=True)


class PlanCoordinator(SQLModel, table=True):
    """The plans a coordinator is responsible for; escalations go to them."""

    __tablename__ = "plan_coordinator"

    plan_id: UUID = Field(
        sa_column=Column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )


class ApiToken(SQLModel, table=True):
    """A bearer token. Only a SHA-256 of the random secret is kept; the secret is shown once."""

    __tablename__ = "api_token"

    id: UUID = id_field()
    user_id: UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
