"""The OpenAPI document as a contract that clients can rely on (decision 18).

Operation ids follow one rule (`operation_id`). What an operation can answer is derived from
what it does, never listed by hand: its request (a path id can be unknown, a body can be too
large, of the wrong type or malformed), its method (a POST takes an Idempotency-Key), and the
code it runs: the endpoint, its dependencies, and the functions of `app` these call by name,
followed a few calls deep. Each `AppError` subclass met there adds its status; each helper
marked with `answers` adds what it declares (a header it reads, a header it sets, a status it
answers without raising). Every error is `application/problem+json` with the `Problem` schema.
"""

import inspect
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar, cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
DEPTH = 4  # calls followed from an endpoint or dependency; deeper code is a service's detail


@dataclass(frozen=True)
class Answers:
    """What a helper adds to the operations that use it."""

    statuses: frozenset[int] = frozenset()
    reads: tuple[str, ...] = ()  # request headers
    sets: tuple[str, ...] = ()  # headers of the success answer
    bearer: bool = False  # needs `Authorization: Bearer`
    whole: bool = False  # says all it answers: its code is not walked


def answers(
    *statuses: int,
    reads: tuple[str, ...] = (),
    sets: tuple[str, ...] = (),
    bearer: bool = False,
    whole: bool = False,
) -> Callable[[F], F]:
    """Mark a helper with what any operation that calls it can answer, read or set. `whole`:
    the marks are all of it, for a helper whose answers depend on the route (app.params)."""

    def mark(function: F) -> F:
        marks = Answers(frozenset(statuses), reads, sets, bearer, whole)
        function.__pantau_answers__ = marks  # type: ignore[attr-defined]
        return function

    return mark


# Request headers, as parameters of the operations that read them: description, schema.
REQUEST_HEADERS: dict[str, tuple[str, dict[str, Any]]] = {
    "If-Match": ("The ETag you read (or send the body's `version`); stale: 412.", {}),
    "If-None-Match": ("An ETag you hold: 304 without a body while it is current.", {}),
    "Idempotency-Key": (
        "Makes a retry of this POST return the first answer: 1-200 visible ASCII characters.",
        {"pattern": "^[!-~]{1,200}$"},  # app.idempotency.KEY
    ),
    "Accept-Language": (
        "`id` for Indonesian problem texts, `en` for English; otherwise the service's default.",
        {},
    ),
}
# Response headers.
RESPONSE_HEADERS: dict[str, str] = {
    "ETag": "The version of what was answered; send it in If-None-Match or If-Match.",
    "Link": 'The next page: `<url>; rel="next"` (absent on the last page).',
    "Retry-After": "Seconds to wait before trying again.",
    "WWW-Authenticate": "`Bearer`.",
    "Location": "Where the created resource lives.",
}
RETRY_STATUSES = frozenset({409, 429, 503})


@dataclass
class Derived:
    statuses: set[int] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    sets: set[str] = field(default_factory=set)
    bearer: bool = False

    def add(self, marks: Answers) -> None:
        self.statuses |= marks.statuses
        self.reads |= set(marks.reads)
        self.sets |= set(marks.sets)
        self.bearer = self.bearer or marks.bearer


def operation_id(route: APIRoute) -> str:
    """`<tag>_<name without the tag's words>`: `list_tasks` under `tasks` is `tasks_list`,
    `add_plan_coordinator` under `plans` is `plans_add_coordinator`."""
    if not route.tags:
        return route.name
    tag = str(route.tags[0])
    nouns = {tag, tag.removesuffix("s")}
    words = [word for word in route.name.split("_") if word not in nouns]
    return "_".join([tag, *words])


def _callables(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _callables(sub)


def _called(function: Callable[..., Any]) -> Iterator[Any]:
    """What a function names in its code, resolved in its module: functions and classes it
    calls or raises, also through a module (`service.get`)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return
    scope = {**getattr(function, "__globals__", {}), **_closure(function)}
    names = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:  # nested functions and comprehensions
        if isinstance(const, types.CodeType):
            names |= set(const.co_names)
    for name in names:
        value = scope.get(name)
        if isinstance(value, types.ModuleType):
            yield from (getattr(value, other, None) for other in names)
        elif value is not None:
            yield value


def _closure(function: Callable[..., Any]) -> dict[str, Any]:
    code, cells = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    if code is None or not cells:
        return {}
    return {name: cell.cell_contents for name, cell in zip(code.co_freevars, cells, strict=True)}


def _ours(value: Any) -> bool:
    return str(getattr(value, "__module__", "")).startswith("app")


def _walk(functions: Iterable[Any], derived: Derived) -> None:
    """Breadth first, so each function is read at its shallowest call depth: what is found is
    everything within DEPTH calls, whatever order a set of names comes in (the document is the
    same bytes under any hash seed)."""
    from app.errors import AppError

    seen: set[int] = set()
    level = list(functions)
    for depth in range(DEPTH, -1, -1):
        following: list[Any] = []
        for function in level:
            if id(function) in seen:
                continue
            seen.add(id(function))
            marks = getattr(function, "__pantau_answers__", None)
            if isinstance(marks, Answers):
                derived.add(marks)
                if marks.whole:
                    continue
            if inspect.isclass(function):
                if issubclass(function, AppError) and function.status != 500:  # no contract
                    derived.statuses.add(function.status)
                continue
            if depth == 0 or not (inspect.isfunction(function) and _ours(function)):
                continue
            following += [
                value
                for value in _called(function)
                if inspect.isclass(value) or (inspect.isfunction(value) and _ours(value))
            ]
        level = following


def derive(route: APIRoute) -> Derived:
    """What an operation can answer, from its request shape, its method and its code."""
    derived = Derived()
    _walk(_callables(route.dependant), derived)
    has_body = route.body_field is not None or "requestBody" in (route.openapi_extra or {})
    if "{" in route.path_format:
        derived.statuses.add(404)
    if get_flat_params(route.dependant) or has_body:
        derived.statuses.add(422)
    if has_body:
        derived.statuses |= {400, 413, 415}
    methods = route.methods or set()
    if methods & UNSAFE:
        derived.statuses.add(409)  # a unique key taken meanwhile; a transition not allowed
    if "POST" in methods:
        derived.statuses |= {400, 409, 422}  # Idempotency-Key malformed, in flight, reused
        derived.reads.add("Idempotency-Key")
    return derived


def _problem(status: int, description: str | None, retry: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description or HTTPStatus(status).phrase,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    headers = ["Retry-After"] if retry else []
    headers += ["WWW-Authenticate"] if status == 401 else []
    if headers:
        answer["headers"] = {name: _header(name, required=False) for name in headers}
    return answer


def _header(name: str, *, required: bool) -> dict[str, Any]:
    return {
        "description": RESPONSE_HEADERS[name],
        "required": required,
        "schema": {"type": "string"},
    }


def _parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": REQUEST_HEADERS[name][0],
        "schema": {"type": "string", **REQUEST_HEADERS[name][1]},
    }


def _document_operation(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    derived = derive(route)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    errors = {status for status in derived.statuses if status >= 400}
    errors |= {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    for status in sorted(errors):
        given = responses.get(str(status), {})
        responses[str(status)] = _problem(
            status, given.get("description"), status in RETRY_STATUSES
        )
    if 304 in derived.statuses and method == "get":
        responses["304"] = {
            "description": "Not modified: the ETag sent in If-None-Match is current.",
            "headers": {"ETag": _header("ETag", required=True)},
        }
    successes = [code for code in sorted(responses) if code.startswith("2")]
    for code in successes:
        _text_schemas(responses[code])
    if successes and method == "get" and derived.sets:
        headers = responses[successes[0]].setdefault("headers", {})
        for name in sorted(derived.sets):
            headers[name] = _header(name, required=name == "ETag")
    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    known = {parameter["name"].casefold() for parameter in parameters}
    problems = ["Accept-Language"] if any(status >= 400 for status in derived.statuses) else []
    for name in [*sorted(derived.reads), *problems]:
        if name.casefold() not in known:
            parameters.append(_parameter(name))
    if parameters:
        operation["parameters"] = parameters
    if derived.bearer:
        operation["security"] = [{"bearer": []}]


def _text_schemas(response: dict[str, Any]) -> None:
    """A file or stream answer (CSV, XLSX, iCalendar, events) is a string, binary unless text."""
    for media_type, content in response.get("content", {}).items():
        if not content.get("schema"):
            binary = not media_type.startswith("text/")
            content["schema"] = {"type": "string", **({"format": "binary"} if binary else {})}


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document: FastAPI's, with every operation's answers, headers and security."""
    from app.errors import Problem

    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    routes = {
        (str(context.path_format), method.lower()): cast(APIRoute, context)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            _document_operation(operation, routes[path, method], method)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "A Pantau API token."}
    }
    app.openapi_schema = doc
    return doc


def install(app: FastAPI) -> None:
    """Serve `document` at /openapi.json (and to /docs and /redoc)."""
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
