"""The one error family of the service, rendered as RFC 9457 problem details.

Services raise an AppError subclass; the handlers below turn it, FastAPI's validation errors,
Starlette's routing errors and database failures into `application/problem+json` in the
request's language. Nothing here returns a 500 for bad input.
"""

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.i18n import VALIDATION_ID, locale_of, text

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="The field, parameter or header, dotted for nested ones.")
    message: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457), in English or, with Accept-Language: id,
    Indonesian. Members that do not apply are left out, never null."""

    type: str = Field(
        description="A URN naming the kind of problem, such as urn:pantau:problem:stale."
    )
    title: str
    status: int
    detail: str | SkipJsonSchema[None] = None
    instance: str | SkipJsonSchema[None] = Field(default=None, description="The path asked for.")
    errors: list[FieldError] | SkipJsonSchema[None] = Field(
        default=None, description="For 422: each invalid field and why."
    )


logger = logging.getLogger("pantau.errors")


class AppError(Exception):
    status = 500
    slug = "internal"

    def __init__(
        self,
        detail_key: str | None = None,
        /,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail_key or self.slug)
        self.detail_key = detail_key
        self.params = params
        self.errors = errors
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status, slug = 400, "bad-request"


class MalformedJson(AppError):
    status, slug = 400, "malformed-json"


class Unauthenticated(AppError):
    status, slug = 401, "unauthenticated"

    def __init__(self, detail_key: str = "detail.no-token", **params: Any) -> None:
        super().__init__(detail_key, headers={"WWW-Authenticate": "Bearer"}, **params)


class Forbidden(AppError):
    status, slug = 403, "forbidden"


class NotFound(AppError):
    status, slug = 404, "not-found"

    def __init__(self, entity: str) -> None:
        super().__init__("detail.not-found", entity=entity)


class MethodNotAllowed(AppError):
    status, slug = 405, "method-not-allowed"


class Conflict(AppError):
    status, slug = 409, "conflict"


class InvalidTransition(Conflict):
    slug = "invalid-transition"


class PreconditionFailed(AppError):
    status, slug = 412, "precondition-failed"


class PayloadTooLarge(AppError):
    status, slug = 413, "payload-too-large"


class UnsupportedMediaType(AppError):
    status, slug = 415, "unsupported-media-type"


class Invalid(AppError):
    status, slug = 422, "validation"

    def __init__(self, field: str, message: str, message_id: str | None = None) -> None:
        super().__init__("detail.validation", errors=[{"field": field, "message": message}])
        self.message_id = message_id or message


class PreconditionRequired(AppError):
    status, slug = 428, "precondition-required"


class TooManyRequests(AppError):
    status, slug = 429, "too-many-requests"


class ServiceUnavailable(AppError):
    status, slug = 503, "service-unavailable"


def problem_type(slug: str) -> str:
    return f"urn:pantau:problem:{slug}"


def problem_response(
    status: int,
    slug: str,
    locale: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": text(slug, locale),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    response = Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON)
    response.headers.update(headers or {})
    response.headers["Content-Language"] = locale
    return response


def render(error: AppError, request: Request) -> Response:
    page = _page(request, error)
    if page is not None:
        return page
    locale = locale_of(request)
    detail = text(error.detail_key, locale, **error.params) if error.detail_key else None
    errors = error.errors
    if isinstance(error, Invalid) and locale == "id" and errors:
        errors = [{**item, "message": error.message_id} for item in errors]
    return problem_response(
        error.status,
        error.slug,
        locale,
        detail,
        errors=errors,
        headers=error.headers,
        instance=request.url.path,
    )


def _page(request: Request, error: AppError) -> Response | None:
    """The error as a page, when the request is a page's (app.pages.errors decides)."""
    pages = getattr(request.app.state, "page_errors", None)
    return pages(request, error) if pages is not None else None


def _field_path(location: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    page = _page(request, BadRequest("detail.validation"))
    if page is not None:
        return page
    locale = locale_of(request)
    raw = exc.errors()
    if any(item.get("type") == "json_invalid" for item in raw):
        return render(MalformedJson("detail.malformed-json"), request)
    errors = [
        {
            "field": _field_path(tuple(item.get("loc", ()))),
            "message": VALIDATION_ID.get(item.get("type", ""), item.get("msg", ""))
            if locale == "id"
            else str(item.get("msg", "")),
        }
        for item in raw
    ]
    return problem_response(
        422,
        "validation",
        locale,
        text("detail.validation", locale),
        errors=errors,
        instance=request.url.path,
    )


async def _app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return render(exc, request)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error: AppError = AppError("detail.route-not-found")
        error.status, error.slug = 404, "not-found"
        return render(error, request)
    if exc.status_code == 405:
        # RFC 9110 §15.5.6: a 405 names every method the address accepts; Starlette's Allow
        # names only those of the first route whose path matched.
        allow = {"Allow": ", ".join(sorted(_methods_of(request)))}
        refused = MethodNotAllowed(
            "detail.method-not-allowed", method=request.method, headers=allow
        )
        return render(refused, request)
    generic = AppError()
    generic.status, generic.slug = exc.status_code, "bad-request"
    return render(generic, request)


def _methods_of(request: Request) -> set[str]:
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= route.methods or set()
    return methods


async def _integrity_handler(request: Request, exc: Exception) -> Response:
    logger.info("integrity error: %s", exc)
    return render(Conflict("detail.integrity"), request)


async def _database_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DBAPIError)
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        logger.warning("database unavailable: %s", exc.orig)
        error = ServiceUnavailable("detail.database-unavailable", headers={"Retry-After": "5"})
        return render(error, request)
    logger.exception("database error")
    return render(AppError(), request)


async def _data_handler(request: Request, exc: Exception) -> Response:
    # A value the schema let through but the database refuses (a NUL character in text on
    # PostgreSQL, a number beyond its column's range): bad input, not a server fault.
    logger.info("data refused by the database: %s", exc)
    return problem_response(
        422,
        "validation",
        locale_of(request),
        text("detail.data-refused", locale_of(request)),
        errors=[],
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(IntegrityError, _integrity_handler)
    app.add_exception_handler(DataError, _data_handler)
    app.add_exception_handler(DBAPIError, _database_handler)
