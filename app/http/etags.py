"""Entity tags: a resource's carries its version (what If-Match compares); a collection read's
is a digest of everything its answer depends on."""

import hashlib
from datetime import date

import orjson
from starlette.requests import HTTPConnection

from app.i18n import locale_of
from app.live.feed import audience_of
from app.models import User


def resource_etag(version: int, today: date | None = None) -> str:
    """A strong ETag whose first part is the resource version (what If-Match compares).

    Resources with date-derived fields (a task's schedule) add the day, so a cached copy is not
    served across midnight; preconditions compare only the version.
    """
    return f'"{version}-{today:%Y%m%d}"' if today else f'"{version}"'


def request_etag(connection: HTTPConnection, version: int, *parts: str) -> str:
    """The weak ETag of a read: the version of what it reads, the address with its query, the
    language, and `parts`, what else the answer depends on (the day, the caller); never the
    token."""
    path, query = connection.url.path, str(connection.query_params)
    key = orjson.dumps([version, path, query, locale_of(connection), *parts])
    return f'W/"{hashlib.blake2s(key, digest_size=12).hexdigest()}"'


def collection_etag(
    connection: HTTPConnection, version: int, today: date, caller: User | None
) -> str:
    """The ETag of a collection read of the data, as the routes (app.deps.data_etag) and the
    poll fast path (app.dashboard.fastpath) both compute it, so their tags are equal by
    construction. Of the caller it holds only what the answer depends on: the audience its
    role belongs to (what the change feed shows it), and the caller itself where a query names
    it as `me` (as in `?assignee=me`)."""
    query = connection.query_params
    personal = caller is not None and any(value.casefold() == "me" for value in query.values())
    named = str(caller.id) if caller is not None and personal else ""
    return request_etag(connection, version, today.isoformat(), audience_of(caller).value, named)
