"""Sign-in by e-mail link and the browser sessions it opens. Only SHA-256 hashes of the random
link and session secrets are kept: a copy of the database signs nobody in."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, id_field


class SignInRequest(SQLModel, table=True):
    """One request for a link. A request for an unknown address is kept too, without a user or
    a link: the limits per address and per client count every request alike."""

    __tablename__ = "sign_in_request"

    id: UUID = id_field()
    email_hash: str = Field(max_length=64, index=True)
    client: str = Field(max_length=64, index=True)
    requested_at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=True),
    )
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: ends at `expires_at`, after `idle` without a request, or when
    revoked (sign-out, or an administrator)."""

    __tablename__ = "web_session"

    id: UUID = id_field()
    user_id: UUID = Field(
        sa_column=Column(
            ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
