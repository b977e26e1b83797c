"""The writing side of the change feed, and the data version every ETag is built on."""

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ScalarSelect, Select, bindparam, insert, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.db import execute_prepared, prepare
from app.models import Change, DataVersion
from app.sqljson import EncodedJSON

DATA = "data"
DEFERRED = "pantau_deferred_changes"  # session.info key: the changes `deferred` keeps back
NOTIFY_CHANNEL = "pantau_changes"


def bump(session: Session, scope: str = DATA, *, by: int = 1) -> int:
    """Take the next number of a scope (the last of the next `by`). The row stays locked until
    the transaction ends."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(DataVersion).values(scope=scope, value=by)
    statement = insert.on_conflict_do_update(
        index_elements=[DataVersion.scope], set_={"value": DataVersion.value + by}
    ).returning(DataVersion.value)
    value: int = session.exec(statement).scalar_one()
    return value


def record(
    session: Session,
    *,
    entity: str,
    entity_id: UUID,
    action: str,
    version: int,
    data: dict[str, Any] | None,
    at: datetime,
) -> int | None:
    """Append a change in the caller's transaction; it becomes visible when that commits. Within
    `deferred`, the change is kept back instead, unnumbered (None)."""
    kept = session.info.get(DEFERRED)
    if kept is not None:
        document = None if data is None else json.dumps(data)
        kept.append(Entry(entity, entity_id, action, version, document, at))
        return None
    seq = bump(session)
    session.add(
        Change(
            seq=seq,
            entity=entity,
            entity_id=entity_id,
            action=action,
            version=version,
            data=data,
            at=at,
        )
    )
    _notify(session, seq)
    return seq


@dataclass(frozen=True)
class Entry:
    """One change of an entity, as `record` takes it, its data as JSON text already (a
    document the database wrote: a bulk write passes it on without decoding it)."""

    entity: str
    entity_id: UUID
    action: str
    version: int
    document: str | None
    at: datetime


@contextmanager
def deferred(session: Session) -> Iterator[list[Entry]]:
    """Changes recorded meanwhile (`record`) are kept back, unnumbered, in the list this yields:
    a bulk writer that writes a few rows through the services first (a plan matrix's
    strategies and commitments) numbers them with its own rows, last (`record_many`), since
    the feed's number is a lock that every writer takes after its other shared locks."""
    kept: list[Entry] = []
    session.info[DEFERRED] = kept
    try:
        yield kept
    finally:
        del session.info[DEFERRED]


def record_many(session: Session, entries: Sequence[Entry]) -> None:
    """`record` of many changes at once (an import): their numbers taken in one bump, their
    rows in one statement, one notice for them all. The bump's lock is held until the
    transaction ends, so a bulk writer calls this last, after every other write it makes."""
    if not entries:
        return
    last = bump(session, by=len(entries))
    first = last - len(entries) + 1
    rows = [
        {
            "seq": seq,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "action": entry.action,
            "version": entry.version,
            "data": entry.document,
            "at": entry.at,
        }
        for seq, entry in enumerate(entries, start=first)
    ]
    statement = insert(Change).values(data=bindparam("data", type_=EncodedJSON))
    execute_prepared(session.connection(), prepare(session.get_bind().dialect, statement, rows))
    _notify(session, last)


def record_selected(
    session: Session, rows: Select[Any], count: int, parameters: Mapping[str, Any]
) -> None:
    """`record_many` of changes whose rows the database makes (their documents never leave
    it): `rows` selects `count` of them, each with its position from 0 in the feed's order,
    then the entity, its id, the action, the version, the data and the time (as
    app.tasks.documents.feed_rows does). Numbered in one bump, inserted in one statement."""
    if not count:
        return
    last = bump(session, by=count)
    made = rows.subquery()
    numbered = sa_select(
        made.c.position + (last - count + 1),
        made.c.entity,
        made.c.entity_id,
        made.c.action,
        made.c.version,
        made.c.data,
        made.c.at,
    )
    columns = ["seq", "entity", "entity_id", "action", "version", "data", "at"]
    session.connection().execute(insert(Change).from_select(columns, numbered), parameters)
    _notify(session, last)


def _notify(session: Session, seq: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # NOTIFY is transactional: listeners hear it only if, and when, this commits.
        session.exec(
            text("SELECT pg_notify(:channel, :seq)").bindparams(  # type: ignore[call-overload]
                channel=NOTIFY_CHANNEL, seq=str(seq)
            )
        )


def version_of(scope: str = DATA) -> ScalarSelect[int]:
    """The version as a column, to read it in the round trip of another query."""
    return select(DataVersion.value).where(col(DataVersion.scope) == scope).scalar_subquery()


def current_version(session: Session, scope: str = DATA) -> int:
    value = session.exec(select(DataVersion.value).where(col(DataVersion.scope) == scope)).first()
    return value or 0
