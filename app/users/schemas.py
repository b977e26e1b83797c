import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, WithJsonSchema

from app.fields import IsoDateTime, NotNull, zone_names
from app.http import Version
from app.models import Locale, Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Checked for shape and zone in the service, where the message can be given in both languages;
# the document says what the service accepts.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=320),
    Field(json_schema_extra={"pattern": EMAIL.pattern}),
]
TimeZone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    WithJsonSchema({"type": "string", "enum": zone_names()}),
]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email
    role: Role
    organisation_id: UUID | None = None
    locale: Locale = Locale.en
    time_zone: TimeZone | None = None
    digest: StrictBool = False
    active: StrictBool = True


class UserUpdate(BaseModel):
    """PATCH body: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Name | None, NotNull()] = None
    email: Annotated[Email | None, NotNull()] = None
    role: Annotated[Role | None, NotNull()] = None
    organisation_id: UUID | None = None
    locale: Annotated[Locale | None, NotNull()] = None
    time_zone: TimeZone | None = None
    digest: Annotated[StrictBool | None, NotNull()] = None
    active: Annotated[StrictBool | None, NotNull()] = None
    version: Version | None = None


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
    expires_at: IsoDateTime | None = None


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
