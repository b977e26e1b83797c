"""Field types the schemas of every domain share: below the domains, so that one domain's
schemas need not import another's."""

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from app import dates
from app.i18n import translate


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    """The IANA zones this machine knows, as the document lists them."""
    return sorted(_zones())


def known_zone(name: str) -> str:
    if name not in _zones():
        raise ValueError(
            translate("Unknown time zone: use an IANA name such as Asia/Jakarta.", "en")
        )
    return name


def not_null(value: Any) -> Any:
    """For PATCH bodies: a field may be left out, but a required column may not be nulled."""
    if value is None:
        raise ValueError(translate("May not be null.", "en"))
    return value


class NotNull:
    """`Annotated[X | None, NotNull()]`: a PATCH field that may be left out but not sent as
    null; the OpenAPI document shows it without null, so it is nullable only where null is
    accepted."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(not_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json = handler(schema)
        options = [option for option in json.get("anyOf", []) if option.get("type") != "null"]
        if len(options) == 1:
            rest = {key: value for key, value in json.items() if key != "anyOf"}
            return {**options[0], **rest}
        return json


NUMBER = re.compile(r"\s*[+-]?[0-9]+(\.[0-9]*)?\s*")


def _iso_text(value: Any) -> Any:
    """Pydantic would read a number (`0.5`, or `"0.5"` in a query) as seconds since 1970; the
    document says ISO 8601 text, and so does the service."""
    if not isinstance(value, (str, datetime)) or (
        isinstance(value, str) and NUMBER.fullmatch(value)
    ):
        raise ValueError("Use an ISO 8601 time with its zone, such as 2026-03-01T09:00:00+07:00.")
    return value


def _iso_date_text(value: Any) -> Any:
    """As _iso_text, for a day: pydantic would read `0` as 1970-01-01."""
    numeric = isinstance(value, str) and NUMBER.fullmatch(value)
    if numeric or not isinstance(value, (str, date)):
        raise ValueError("Use an ISO 8601 day, such as 2026-03-01.")
    return value


class Documented:
    """`Annotated[X, Documented(pattern=...)]`: keywords added to X's JSON schema, for a rule
    a validator enforces that the document should say too."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **self.keywords}


# Every calendar day from 2000-01-01 to 2099-12-31 and nothing else (in that century a year
# divisible by 4 is a leap year, 2000 included): the range of app.dates, as the document says it.
DAY_IN_RANGE = (
    r"^(?:20[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|20(?:[02468][048]|[13579][26])-02-29)$"
)
RANGE_TEXT = f"Between {dates.EARLIEST.isoformat()} and {dates.LATEST.isoformat()}"

# A day, as ISO 8601 text only, within the accepted range (app.dates).
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_text),
    AfterValidator(dates.check_day),
    Documented(pattern=DAY_IN_RANGE, description=f"{RANGE_TEXT}."),
]
# A time with its zone, as ISO 8601 text only, within the accepted range (app.dates): the
# pattern names the years; the range is checked on the time's UTC form.
IsoDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(dates.check_instant),
    Documented(pattern=r"^20[0-9]{2}-", description=f"{RANGE_TEXT} (UTC)."),
]


def _whole(value: Any) -> Any:
    """Pydantic reads `false` as 0 and "3" as 3; JSON Schema's integer is neither (but 3.0 is).
    Refused as pydantic's strict integer refuses them (int_type), which the catalogues word."""
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# A JSON integer: never `false` or "1". Every integer of a request body is one
# (tests/contract/test_whole_numbers.py walks them all).
WholeNumber = Annotated[int, BeforeValidator(_whole)]

BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


class Bounded:
    """`Annotated[WholeNumber, Field(ge=0), Bounded()]`: pydantic cannot put the bounds of a
    validated int into its schema, and writes them as `ge`/`le`, which JSON Schema ignores;
    named here as JSON Schema names them, so the document says what the server refuses."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {BOUNDS.get(key, key): value for key, value in handler(schema).items()}
