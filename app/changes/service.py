"""The writing side of the change feed, and the data version every ETag is built on."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ScalarSelect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.models import Change, DataVersion

DATA = "data"
NOTIFY_CHANNEL = "pantau_changes"


def bump(session: Session, scope: str = DATA) -> int:
    """Take the next number of a scope. The row stays locked until the transaction ends."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(DataVersion).values(scope=scope, value=1)
    statement = insert.on_conflict_do_update(
        index_elements=[DataVersion.scope], set_={"value": DataVersion.value + 1}
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
) -> int:
    """Append a change in the caller's transaction; it becomes visible when that commits."""
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
    if session.get_bind().dialect.name == "postgresql":
        # NOTIFY is transactional: listeners hear it only if, and when, this commits.
        session.exec(
            text("SELECT pg_notify(:channel, :seq)").bindparams(  # type: ignore[call-overload]
                channel=NOTIFY_CHANNEL, seq=str(seq)
            )
        )
    return seq


def version_of(scope: str = DATA) -> ScalarSelect[int]:
    """The version as a column, to read it in the round trip of another query."""
    return select(DataVersion.value).where(col(DataVersion.scope) == scope).scalar_subquery()


def current_version(session: Session, scope: str = DATA) -> int:
    value = session.exec(select(DataVersion.value).where(col(DataVersion.scope) == scope)).first()
    return value or 0
