from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from uuid import UUID

import holidays
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from app.fields import Bounded, IsoDate, NotNull, WholeNumber, known_zone, zone_names
from app.http import Version
from app.i18n import translate
from app.models import PlanKind, PlanScope, Role
from app.reminders.policy import ReminderPolicy

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
Issuer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# `\s` differs between regex dialects: pydantic's (Unicode White_Space) has U+0085, the
# document's (ECMA-262) has U+FEFF, Python's has U+001C-U+001F. Naming them all makes the
# document's pattern refuse exactly what the server refuses.
URL_PATTERN = r"^https?://[^\s\u001c-\u001f\u0085\ufeff]+$"
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=URL_PATTERN)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Position = Annotated[WholeNumber, Field(ge=0, le=100_000), Bounded()]


@lru_cache(maxsize=1)
def _holiday_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _known_holiday_country(code: str) -> str:
    if code not in _holiday_countries():
        raise ValueError(
            translate("No public holiday calendar is known for this country code.", "en")
        )
    return code


# The document lists the values, so a client (and a fuzzer) knows what is accepted.
TimeZone = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(known_zone),
    WithJsonSchema({"type": "string", "enum": zone_names()}),
]
HolidayCountry = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_known_holiday_country),
    WithJsonSchema(
        {"type": "string", "enum": sorted(c for c in _holiday_countries() if len(c) == 2)}
    ),
]


KIND = (
    "What sort of instrument the plan is: `road_map` (Perpres 87/2025), `action_plan` (the ASEAN"
    " RPA), `strategy` (Stranas PKTA) or `regulation` (PP 17/2025, whose duties bind others)."
)


class Ref(BaseModel):
    """Another resource, by the two keys a client may use for it."""

    id: UUID
    code: str


class ReportingPolicy(BaseModel):
    """A plan's reporting periods where they differ from the settings (app.periods)."""

    model_config = ConfigDict(extra="forbid")

    cadence: Literal["quarter", "semester", "year"] | None = None
    due_days: Annotated[WholeNumber, Field(ge=0, le=365), Bounded()] | None = Field(
        default=None, description="Days after a period's end that its reports are due."
    )


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    title_en: Title
    title_id: Title
    scope: PlanScope
    kind: PlanKind = Field(default=PlanKind.action_plan, description=KIND)
    issuer: Issuer
    period_start: IsoDate
    period_end: IsoDate
    time_zone: TimeZone = "Asia/Jakarta"
    holiday_country: HolidayCountry = "ID"
    source_url: Url | None = None
    notes: Notes | None = None
    reminder_policy: ReminderPolicy | None = None
    reporting_policy: ReportingPolicy | None = None


class PlanUpdate(BaseModel):
    """PATCH body: only the fields sent change; the code is the plan's stable key and stays."""

    model_config = ConfigDict(extra="forbid")

    title_en: Annotated[Title | None, NotNull()] = None
    title_id: Annotated[Title | None, NotNull()] = None
    scope: Annotated[PlanScope | None, NotNull()] = None
    kind: Annotated[PlanKind | None, NotNull(), Field(description=KIND)] = None
    issuer: Annotated[Issuer | None, NotNull()] = None
    period_start: Annotated[IsoDate | None, NotNull()] = None
    period_end: Annotated[IsoDate | None, NotNull()] = None
    time_zone: Annotated[TimeZone | None, NotNull()] = None
    holiday_country: Annotated[HolidayCountry | None, NotNull()] = None
    source_url: Url | None = None
    notes: Notes | None = None
    reminder_policy: ReminderPolicy | None = None
    reporting_policy: ReportingPolicy | None = None
    version: Version | None = None


class PlanPublic(BaseModel):
    id: UUID
    code: str
    title_en: str
    title_id: str
    scope: PlanScope
    kind: PlanKind = Field(description=KIND)
    issuer: str
    period_start: date
    period_end: date
    time_zone: str
    holiday_country: str
    source_url: str | None
    notes: str | None
    reminder_policy: dict[str, Any] | None
    reporting_policy: dict[str, Any] | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class PillarCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    title_en: Title
    title_id: Title
    position: Position = 0


class PillarUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_en: Annotated[Title | None, NotNull()] = None
    title_id: Annotated[Title | None, NotNull()] = None
    position: Annotated[Position | None, NotNull()] = None
    version: Version | None = None


class PillarPublic(BaseModel):
    id: UUID
    plan: Ref
    code: str
    title_en: str
    title_id: str
    position: int
    version: int
    created_at: datetime
    updated_at: datetime


class CoordinatorPublic(BaseModel):
    id: UUID
    name: str
    role: Role
    organisation: Ref | None
