"""Field types the schemas of every domain share: below the domains, so that one domain's
schemas need not import another's."""

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

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
