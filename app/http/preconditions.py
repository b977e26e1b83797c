"""Preconditions: If-None-Match (304 before the answer is built) and If-Match (412, 428)."""

from typing import Annotated

from fastapi import Request, Response
from pydantic import Field

from app.contract import answers
from app.errors import PreconditionFailed, PreconditionRequired
from app.fields import Bounded, WholeNumber
from app.i18n import N_

# The version a client read, standing in for If-Match.
Version = Annotated[WholeNumber, Field(ge=0, description="The version you read."), Bounded()]


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def not_modified_response(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag})


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


@answers(304, reads=("If-None-Match",), sets=("ETag",))
def check_not_modified(request: Request, etag: str) -> None:
    if etag_matches(request.headers.get("if-none-match"), etag):
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
