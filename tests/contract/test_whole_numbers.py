"""JSON Schema's integer is neither `false` nor "3": every integer a request body declares, at
any depth, is refused (422) when a client sends a boolean or a string for it, with the error
pydantic's strict integer gives (int_type), which the catalogues translate."""

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ValidationError

from app.main import create_app

WRONG = (False, True, "3")
Path = tuple[str | int, ...]  # an int is a list's index


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation names, through unions, lists and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [found for arg in getattr(annotation, "__args__", ()) for found in _models(arg)]


def _int_place(annotation: Any) -> Path | None:
    """Where an annotation holds an integer: () itself, (0,) as a list's item, None nowhere."""
    if annotation is int:
        return ()
    places = [_int_place(arg) for arg in getattr(annotation, "__args__", ())]
    found = next((place for place in places if place is not None), None)
    if found is not None and getattr(annotation, "__origin__", None) is list:
        return (0, *found)
    return found


def _integer_paths(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> list[Path]:
    paths: list[Path] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        place = _int_place(field.annotation)
        if place is not None:
            paths.append((key, *place))
        for inner in _models(field.annotation):
            if inner not in seen:
                paths += [(key, *rest) for rest in _integer_paths(inner, seen | {model})]
    return paths


def _body(path: Path, value: object) -> dict[str, Any]:
    body: Any = value
    for key in reversed(path):
        body = [body] if isinstance(key, int) else {key: body}
    return dict(body)


def _is_json(info: Any) -> bool:
    return getattr(info, "media_type", "application/json") == "application/json"


def _body_models() -> set[type[BaseModel]]:
    contexts = iter_route_contexts(create_app().routes)
    routes = [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]
    fields = [route.body_field for route in routes if route.body_field is not None]
    fields = [field for field in fields if _is_json(field.field_info)]  # a form's fields are text
    return {model for field in fields for model in _models(field.field_info.annotation)}


def _refuses(error: Any, path: Path) -> bool:
    # int_type, as pydantic's strict int says it: the one error type the languages word alike
    return tuple(error["loc"][: len(path)]) == path and error["type"] == "int_type"


def test_every_integer_in_a_request_body_refuses_booleans_and_text() -> None:
    accepted = []
    checked = 0
    for model in _body_models():
        for path in _integer_paths(model):
            for wrong in WRONG:
                checked += 1
                try:
                    model.model_validate(_body(path, wrong))
                except ValidationError as error:
                    if any(_refuses(e, path) for e in error.errors()):
                        continue
                accepted.append((model.__name__, path, wrong))

    assert checked > 20  # the walk found the bodies' integers (version, position, progress …)
    assert sorted({(name, path) for name, path, _ in accepted}) == []
