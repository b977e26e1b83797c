from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.http import Version
from app.models import OrganisationKind

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Alias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name_en: Name
    name_id: Name
    kind: OrganisationKind
    country: Country | None = None
    aliases: list[Alias] = Field(default_factory=list, max_length=50)


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_en: Name | None = None
    name_id: Name | None = None
    kind: OrganisationKind | None = None
    country: Country | None = None
    aliases: list[Alias] | None = Field(default=None, max_length=50)
    version: Version | None = None


class OrganisationPublic(BaseModel):
    id: UUID
    code: str
    name_en: str
    name_id: str
    kind: OrganisationKind
    country: str | None
    aliases: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
