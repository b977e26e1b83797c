"""The append-only record of who changed what."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from sqlmodel import Session, col, select

from app.models import History


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose values differ, as (old, new)."""
    return {
        field: (before.get(field), value)
        for field, value in after.items()
        if before.get(field) != value
    }


def record(
    session: Session,
    *,
    entity: str,
    entity_id: UUID,
    action: str,
    actor_id: UUID | None,
    at: datetime,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
) -> None:
    """One row per changed field; a row with no field for actions without one (created, deleted)."""
    if not changes:
        session.add(
            History(
                entity=entity,
                entity_id=entity_id,
                action=action,
                note=note,
                actor_id=actor_id,
                at=at,
            )
        )
        return
    for field, (old, new) in changes.items():
        session.add(
            History(
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=field,
                old=_plain(old),
                new=_plain(new),
                note=note,
                actor_id=actor_id,
                at=at,
            )
        )


@dataclass(frozen=True)
class Entry:
    """One change of an entity, as `record` takes it."""

    entity: str
    entity_id: UUID
    action: str
    actor_id: UUID | None
    at: datetime
    changes: Mapping[str, tuple[Any, Any]] | None = None
    note: str | None = None


def rows_of(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The rows that `record` would add for many changes (an import's), to insert in one
    statement: a bulk writer builds them before its transaction starts."""
    return [
        {
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "action": entry.action,
            "field": field,
            "old": _plain(old),
            "new": _plain(new),
            "note": entry.note,
            "actor_id": entry.actor_id,
            "at": entry.at,
        }
        for entry in entries
        for field, (old, new) in _fields(entry.changes)
    ]


def _fields(
    changes: Mapping[str, tuple[Any, Any]] | None,
) -> list[tuple[str | None, tuple[Any, Any]]]:
    """The rows of a change: one per field, or one without a field."""
    return list(changes.items()) if changes else [(None, (None, None))]


def for_entity(
    session: Session, entity: str, entity_id: UUID, *, after_id: int | None, limit: int
) -> list[History]:
    statement = select(History).where(
        col(History.entity) == entity, col(History.entity_id) == entity_id
    )
    if after_id is not None:
        statement = statement.where(col(History.id) > after_id)
    return list(session.exec(statement.order_by(col(History.id)).limit(limit)).all())
