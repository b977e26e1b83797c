from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from app.models import Locale, Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Checked for shape in the service, where the message can be given in both languages.
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email
    role: Role
    organisation_id: UUID | None = None
    locale: Locale = Locale.en
    time_zone: TimeZone | None = None
    digest: bool = False
    active: bool = True


class UserUpdate(BaseModel):
    """PATCH body: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: Email | None = None
    role: Role | None = None
    organisation_id: UUID | None = None
    locale: Locale | None = None
    time_zone: TimeZone | None = None
    digest: bool | None = None
    active: bool | None = None
    version: int | None = None


class UserPublic(BaseModel):
    id: UUID
    name: str
    email: str
    role: Role
    organisation_id: UUID | None
    locale: Locale
    time_zone: str | None
    digest: bool
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: UUID
    name: Name
    expires_at: AwareDatetime | None = None


class TokenPublic(BaseModel):
    # Never the secret nor its hash: `prefix` is enough to tell one's tokens apart.
    id: UUID
    user_id: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str
