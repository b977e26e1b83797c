"""HTTP conventions shared by every router: ETags, preconditions and cursor pagination."""

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query, Request, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field
from starlette.requests import HTTPConnection

from app import dates
from app.contract import answers
from app.errors import BadRequest, PreconditionFailed, PreconditionRequired
from app.i18n import N_, locale_of

T = TypeVar("T")


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


# A day, as ISO 8601 text only, within the accepted range (app.dates).
IsoDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(dates.check_day)]
# A time with its zone, as ISO 8601 text only, within the accepted range (app.dates).
IsoDateTime = Annotated[
    AwareDatetime, BeforeValidator(_iso_text), AfterValidator(dates.check_instant)
]
# The version a client read, standing in for If-Match: a whole number, never `false` or "1".
Version = Annotated[int, Field(strict=True, ge=0, description="The version you read.")]


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def not_modified_response(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag})


def resource_etag(version: int, today: date | None = None) -> str:
    """A strong ETag whose first part is the resource version (what If-Match compares).

    Resources with date-derived fields (a task's schedule) add the day, so a cached copy is not
    served across midnight; preconditions compare only the version.
    """
    return f'"{version}-{today:%Y%m%d}"' if today else f'"{version}"'


def collection_etag(data_version: int, *parts: str) -> str:
    digest = hashlib.blake2s(orjson.dumps([data_version, *parts]), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def request_etag(connection: HTTPConnection, data_version: int, today: date, *viewer: str) -> str:
    """The ETag of a collection read: the data version, the address with its query, the
    language, the day, and what of the caller the answer depends on (`viewer`, from
    app.deps.collection_etag); never the token."""
    return collection_etag(
        data_version,
        connection.url.path,
        str(connection.query_params),
        locale_of(connection),
        today.isoformat(),
        *viewer,
    )


def _entity_tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 §13.1.2). `*` matches nothing here: a read
    compares before its query is validated, and RFC 9110 §13.2.1 has a precondition ignored
    where the answer without it would not be a 2xx; a tag can only match an answer given."""
    if not header or header.strip() == "*":
        return False
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in _entity_tags(header))


def matches_if_none_match(request: Request, etag: str) -> bool:
    return etag_matches(request.headers.get("if-none-match"), etag)


@answers(304, reads=("If-None-Match",), sets=("ETag",))
def check_not_modified(request: Request, etag: str) -> None:
    if matches_if_none_match(request, etag):
        raise NotModified(etag)


def _version_of(tag: str) -> int | None:
    if tag.startswith("W/"):
        return None  # weak tags never satisfy If-Match (RFC 9110 §13.1.1)
    body = tag.strip('"').split("-", 1)[0]
    return int(body) if body.isdigit() else None


@answers(412, reads=("If-Match",))
def check_if_match(
    request: Request, current_version: int, *, body_version: int | None = None
) -> None:
    """412 when the client's If-Match (or body version) is stale; nothing when neither is sent."""
    header = request.headers.get("if-match")
    if header is not None and header.strip() != "*":
        versions = [_version_of(tag) for tag in _entity_tags(header)]
        if current_version not in versions:
            sent = next((v for v in versions if v is not None), "?")
            raise PreconditionFailed(
                N_("The resource has changed since version {sent}; it is at version {current}."),
                sent=sent,
                current=current_version,
            )
    if body_version is not None and body_version != current_version:
        raise PreconditionFailed(
            N_("The resource has changed since version {sent}; it is at version {current}."),
            sent=body_version,
            current=current_version,
        )


@answers(428, reads=("If-Match",))
def require_if_match(
    request: Request, current_version: int, *, body_version: int | None = None
) -> None:
    """check_if_match, and 428 when neither If-Match nor the body's version is sent."""
    if request.headers.get("if-match") is None and body_version is None:
        raise PreconditionRequired(
            N_("Send If-Match with the ETag you read, or the body's version.")
        )
    check_if_match(request, current_version, body_version=body_version)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def json_response(content: Any, headers_from: Response) -> Response:
    """Plain data as JSON, with the headers the dependencies set (ETag, Link): for hot reads,
    whose route keeps its response_model for OpenAPI but skips building and validating models.
    Data is written as pydantic writes it (UTC as `Z`); `orjson.Fragment`s (documents the
    database wrote, app.sqljson) go in as they are."""
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    answer = Response(body, media_type="application/json")
    answer.raw_headers.extend(headers_from.raw_headers)
    return answer


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError) as error:
        raise BadRequest(N_("The cursor is not one this service issued.")) from error
    if not isinstance(value, list):
        raise BadRequest(N_("The cursor is not one this service issued."))
    return value


class PageParams(BaseModel):
    limit: int
    cursor: list[Any] | None


async def page_params(  # no I/O: on the event loop, not the thread pool
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="Opaque cursor.")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageParams, Depends(page_params)]


@answers(sets=("Link",))
def set_next_link(
    request: Request, response: Response, next_cursor: str | None, *, param: str = "cursor"
) -> None:
    if next_cursor:
        url = request.url.include_query_params(**{param: next_cursor})
        response.headers["Link"] = f'<{url}>; rel="next"'
