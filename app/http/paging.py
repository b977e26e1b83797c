"""Paging: `?limit=` and an opaque `?cursor=` (the sort key of the last item served, keyset
pagination), `{items, next_cursor}` and the `Link: rel="next"` header."""

import base64
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import orjson
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Row, Select, bindparam, tuple_
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.contract import answers
from app.errors import BadRequest
from app.i18n import N_

T = TypeVar("T")
M = TypeVar("M")
S = TypeVar("S", bound=Select[Any])
R = TypeVar("R")
Columns = Select[*tuple[Any, ...]]  # a statement of columns, read as plain rows


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


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


def _to_json(value: Any) -> Any:
    if isinstance(value, UUID | datetime | date):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    return value


def _from_json(column: ColumnElement[Any], value: Any) -> Any:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return value
    try:
        if kind is UUID:
            return UUID(value)
        if kind is datetime:
            return datetime.fromisoformat(value)
        if kind is date:
            return date.fromisoformat(value)
        if kind is int and not isinstance(value, int):
            raise ValueError(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(N_("The cursor is not one this service issued.")) from error
    return value


def _keyset(statement: S, key: Sequence[Any], page: PageParams) -> S:
    if page.cursor is not None:
        if len(page.cursor) != len(key):
            raise BadRequest(N_("The cursor is not one this service issued."))
        values = [_from_json(column, value) for column, value in zip(key, page.cursor, strict=True)]
        statement = statement.where(tuple_(*key) > tuple_(*values))
    return statement.order_by(*key).limit(page.limit + 1)


def _split(rows: list[R], key: Sequence[Any], page: PageParams) -> tuple[list[R], str | None]:
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last = rows[-1]
    return rows, encode_cursor([_to_json(getattr(last, str(column.key))) for column in key])


def paginate(
    session: Session,
    statement: SelectOfScalar[M],
    key: Sequence[Any],
    page: PageParams,
) -> tuple[list[M], str | None]:
    """One page of `statement`, ordered by `key` (unique, non-null columns), and the next cursor."""
    rows = list(session.exec(_keyset(statement, key, page)).all())
    return _split(rows, key, page)


def paginate_rows(
    session: Session,
    statement: Columns,
    key: Sequence[Any],
    page: PageParams,
    params: Mapping[str, Any] | None = None,
) -> tuple[list[Row[*tuple[Any, ...]]], str | None]:
    """As paginate, for a statement of columns read as plain rows (no ORM objects), with the
    values of its bound parameters: the key's columns must be among them, under their own
    names."""
    connection = session.connection()
    if page.cursor is None:
        first = _first_page(statement, tuple(key))
        rows = connection.execute(first, {**(params or {}), "page_size": page.limit + 1}).all()
    else:
        rows = connection.execute(_keyset(statement, key, page), params).all()
    return _split(list(rows), key, page)


@lru_cache(maxsize=64)
def _first_page(statement: Columns, key: tuple[Any, ...]) -> Columns:
    # The same statement object poll after poll (the first page of a list built once, as the
    # unfiltered task list): SQLAlchemy then reuses its cache key and compiled form as they are.
    return statement.order_by(*key).limit(bindparam("page_size"))
