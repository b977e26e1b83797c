"""Answers that carry an ETag: a read (304 when the client holds it already) and a write."""

from typing import Any, TypeVar

import orjson
from fastapi import Request, Response
from starlette.datastructures import URL

from app.http.preconditions import check_not_modified

T = TypeVar("T")


def tag_read(request: Request, response: Response, etag: str) -> str:
    """Give a read its ETag; a client that holds it gets 304 here, before the body is built."""
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return etag


def answer(response: Response, body: T, etag: str, *, location: URL | str | None = None) -> T:
    """A write's answer: the resource with its ETag and, when it was created, where it lives."""
    response.headers["ETag"] = etag
    if location is not None:
        response.headers["Location"] = str(location)
    return body


def json_response(content: Any, headers_from: Response) -> Response:
    """Plain data as JSON, with the headers the dependencies set (ETag, Link): for hot reads,
    whose route keeps its response_model for OpenAPI but skips building and validating models.
    Data is written as pydantic writes it (UTC as `Z`); `orjson.Fragment`s (documents the
    database wrote, app.sqljson) go in as they are."""
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    answer = Response(body, media_type="application/json")
    answer.raw_headers.extend(headers_from.raw_headers)
    return answer
