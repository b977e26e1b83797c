"""What a route takes, enforced for every route at once: a query parameter it does not declare
is refused (422 naming it), never ignored, since an ignored filter (`?stauts=blocked`) answers
everything as if it had been applied; a body of a media type it does not read is refused (415).

Both are read from the route's own declaration (FastAPI's dependant, sub-dependencies and query
models included), so a new route or parameter needs nothing here. The poll fast path asks the
same question before routing (app.dashboard.fastpath).
"""

from collections.abc import Iterator
from email.message import Message

from fastapi import Request
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.params import Form
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.datastructures import QueryParams

from app.contract import answers
from app.errors import Invalid, UnsupportedMediaType
from app.i18n import N_

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPE = "application/json"
CACHED = "_pantau_query_names"
ACCEPT_HEADER = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}  # RFC 9110 / 5789


def _query_fields(dependant: Dependant) -> Iterator[ModelField]:
    yield from dependant.query_params
    for dependency in dependant.dependencies:
        yield from _query_fields(dependency)


def _names(field: ModelField) -> Iterator[str]:
    model = field.field_info.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):  # a query model (TaskFilters)
        yield from (info.alias or name for name, info in model.model_fields.items())
    else:
        yield field.alias


def declared(route: APIRoute) -> frozenset[str]:
    """The query parameter names a route reads, its dependencies' included; kept on the route
    (routes are not hashable, and live as long as their app)."""
    names: frozenset[str] | None = getattr(route, CACHED, None)
    if names is None:
        fields = _query_fields(route.dependant)
        names = frozenset(name for field in fields for name in _names(field))
        setattr(route, CACHED, names)
    return names


def unknown(query: QueryParams, allowed: frozenset[str]) -> list[str]:
    return [name for name in dict.fromkeys(query.keys()) if name not in allowed]


def _unknown_error(names: list[str], allowed: frozenset[str]) -> Invalid:
    if not allowed:
        return Invalid.each(names, N_("Unknown query parameter; this route takes none."))
    listed = ", ".join(sorted(allowed))
    message = N_("Unknown query parameter; this route takes: {allowed}.")
    return Invalid.each(names, message, allowed=listed)


def _media_type(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_type()


def _reads(route: APIRoute, media_type: str) -> bool:
    assert route.body_field is not None
    if isinstance(route.body_field.field_info, Form):
        return media_type in FORM_TYPES
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _accepted(route: APIRoute) -> str:
    assert route.body_field is not None
    return ", ".join(FORM_TYPES) if isinstance(route.body_field.field_info, Form) else JSON_TYPE


# Any route can meet an unknown parameter; a 415 only one with a body, which app.contract
# derives from the route's body itself.
@answers(422, whole=True)
async def check_request(request: Request) -> None:
    """The dependency every route has (app.main): refuses what the route does not read.
    A route that reads its own body (an upload) judges its media type itself."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names = unknown(request.query_params, declared(route))
    if names:
        raise _unknown_error(names, declared(route))
    content_type = request.headers.get("content-type")
    if route.body_field is None or not content_type:
        return  # FastAPI reads a body without a Content-Type as JSON
    media_type = _media_type(content_type)
    if not _reads(route, media_type):
        accepted = _accepted(route)
        raise UnsupportedMediaType(
            N_("This request cannot carry a body of type {media_type}: send {accepted}."),
            headers={ACCEPT_HEADER.get(request.method, "Accept"): accepted},
            media_type=media_type,
            accepted=accepted,
        )
