"""Keyset pagination: the cursor carries the sort key of the last item served."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, tuple_
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import BadRequest
from app.http import PageParams, encode_cursor

M = TypeVar("M")


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
        raise BadRequest("detail.bad-cursor") from error
    return value


def paginate(
    session: Session,
    statement: SelectOfScalar[M],
    key: Sequence[Any],
    page: PageParams,
) -> tuple[list[M], str | None]:
    """One page of `statement`, ordered by `key` (unique, non-null columns), and the next cursor."""
    if page.cursor is not None:
        if len(page.cursor) != len(key):
            raise BadRequest("detail.bad-cursor")
        values = [_from_json(column, value) for column, value in zip(key, page.cursor, strict=True)]
        statement = statement.where(tuple_(*key) > tuple_(*values))
    rows = list(session.exec(statement.order_by(*key).limit(page.limit + 1)).all())
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last = rows[-1]
    return rows, encode_cursor([_to_json(getattr(last, str(column.key))) for column in key])
