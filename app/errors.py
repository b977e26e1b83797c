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

from app.i18n import N_, Message, Phrase, locale_of, translate, validation_message

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="The field, parameter or header, dotted for nested ones.")
    message: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457), in the language Accept-Language asks for
    (`en` or `id`), else the service's default. Members that do not apply are left out, never
    null."""

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


NO_TOKEN = N_("Send an Authorization: Bearer token.")


logger = logging.getLogger("pantau.errors")


class AppError(Exception):
    """`detail` is a message of the catalogues (app.i18n), its {placeholders} filled from
    `params`; `title` is the same for every problem of a `slug`."""

    status = 500
    slug, title = "internal", N_("Internal error")

    def __init__(
        self,
        detail: Message | None = None,
        /,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail or self.slug)
        self.detail = detail
        self.params = params
        self.errors = errors
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status, slug, title = 400, "bad-request", N_("Bad request")


class MalformedJson(AppError):
    status, slug, title = 400, "malformed-json", N_("Malformed JSON")


class Unauthenticated(AppError):
    status, slug, title = 401, "unauthenticated", N_("Authentication required")

    def __init__(self, detail: Message = NO_TOKEN, **params: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **params)


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", N_("Forbidden")


class NotFound(AppError):
    status, slug, title = 404, "not-found", N_("Not found")

    def __init__(self, entity: str) -> None:
        super().__init__(N_("No {entity} with that identifier."), entity=entity)


class MethodNotAllowed(AppError):
    status, slug, title = 405, "method-not-allowed", N_("Method not allowed")


class Conflict(AppError):
    status, slug, title = 409, "conflict", N_("Conflict")


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", N_("Status change not allowed")


class PreconditionFailed(AppError):
    status, slug, title = 412, "precondition-failed", N_("Precondition failed")


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", N_("Request body too large")


class UnsupportedMediaType(AppError):
    status, slug, title = 415, "unsupported-media-type", N_("Unsupported media type")


class Invalid(AppError):
    status, slug, title = 422, "validation", N_("Invalid request")

    def __init__(self, field: str, message: Message, /, **params: object) -> None:
        # `errors` in English for the command line; the handler words them for the reader.
        self.field, self.words = field, Phrase(message, params)
        self.fields = [field]
        errors = [{"field": field, "message": self.words("en")}]
        super().__init__(N_("Some fields are invalid: see errors."), errors=errors)

    @classmethod
    def each(cls, fields: list[str], message: Message, /, **params: object) -> "Invalid":
        """Several fields, each invalid for the same reason."""
        error = cls(fields[0], message, **params)
        error.fields = list(fields)
        error.errors = [{"field": field, "message": error.words("en")} for field in fields]
        return error


def invalid(field: str, message: Message, /, **params: object) -> Invalid:
    """A 422 for one field, with a message of the catalogues (app.i18n): the one way to say it."""
    return Invalid(field, message, **params)


class PreconditionRequired(AppError):
    status, slug, title = 428, "precondition-required", N_("Precondition required")


class TooManyRequests(AppError):
    status, slug, title = 429, "too-many-requests", N_("Too many requests")


class ServiceUnavailable(AppError):
    status, slug, title = 503, "service-unavailable", N_("Service unavailable")


def problem_type(slug: str) -> str:
    return f"urn:pantau:problem:{slug}"


def problem_response(
    status: int,
    slug: str,
    title: Message,
    locale: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": translate(title, locale),
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
    detail = translate(error.detail, locale, **error.params) if error.detail else None
    errors = error.errors
    if isinstance(error, Invalid):
        errors = [{"field": field, "message": error.words(locale)} for field in error.fields]
    return problem_response(
        error.status,
        error.slug,
        error.title,
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
    page = _page(request, BadRequest(N_("Some fields are invalid: see errors.")))
    if page is not None:
        return page
    locale = locale_of(request)
    raw = exc.errors()
    if any(item.get("type") == "json_invalid" for item in raw):
        return render(MalformedJson(N_("The body is not valid JSON.")), request)
    errors = [
        {
            "field": _field_path(tuple(item.get("loc", ()))),
            "message": validation_message(item.get("type", ""), str(item.get("msg", "")), locale),
        }
        for item in raw
    ]
    return problem_response(
        422,
        Invalid.slug,
        Invalid.title,
        locale,
        translate("Some fields are invalid: see errors.", locale),
        errors=errors,
        instance=request.url.path,
    )


async def _app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return render(exc, request)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error: AppError = AppError(N_("There is nothing at this address."))
        error.status, error.slug, error.title = 404, NotFound.slug, NotFound.title
        return render(error, request)
    if exc.status_code == 405:
        # RFC 9110 §15.5.6: a 405 names every method the address accepts; Starlette's Allow
        # names only those of the first route whose path matched.
        allow = {"Allow": ", ".join(sorted(_methods_of(request)))}
        refused = MethodNotAllowed(
            N_("This address does not accept {method}."), method=request.method, headers=allow
        )
        return render(refused, request)
    generic = AppError()
    generic.status, generic.slug, generic.title = exc.status_code, BadRequest.slug, BadRequest.title
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
    return render(Conflict(N_("The change conflicts with existing data.")), request)


async def _database_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DBAPIError)
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        logger.warning("database unavailable: %s", exc.orig)
        error = ServiceUnavailable(
            N_("The database cannot be reached; try again shortly."), headers={"Retry-After": "5"}
        )
        return render(error, request)
    logger.exception("database error")
    return render(AppError(), request)


async def _data_handler(request: Request, exc: Exception) -> Response:
    # A value the schema let through but the database refuses (a NUL character in text on
    # PostgreSQL, a number beyond its column's range): bad input, not a server fault.
    logger.info("data refused by the database: %s", exc)
    return problem_response(
        422,
        Invalid.slug,
        Invalid.title,
        locale_of(request),
        translate(
            "A value cannot be stored: check for control characters or out-of-range numbers.",
            locale_of(request),
        ),
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
