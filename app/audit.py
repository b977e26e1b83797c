"""Writes of every domain: apply a change, then record it in history and the change feed."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlmodel import Session

from app.changes import service as changes
from app.history import service as history
from app.models.base import Versioned

FEED_ACTIONS = frozenset({"created", "updated", "deleted"})


def apply_changes(row: Versioned, fields: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """Set the fields whose values differ; a real change bumps the version, none leaves it."""
    changed = history.diff(row.model_dump(), fields)
    for field, (_old, new) in changed.items():
        setattr(row, field, new)
    if changed:
        bump(row, now=now)
    return changed


def bump(row: Versioned, *, now: datetime) -> None:
    row.version += 1
    row.updated_at = now


def record(
    session: Session,
    *,
    entity: str,
    entity_id: UUID,
    action: str,
    version: int,
    data: dict[str, Any] | None,
    actor_id: UUID | None,
    now: datetime,
    changed: Mapping[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
    feed_action: str | None = None,
) -> None:
    """History for the people reading it, a change-feed row for the dashboards following it.
    The feed knows only created, updated and deleted: any other action of history (revoked,
    disabled, a transition) is an update there, unless `feed_action` says otherwise."""
    session.flush()
    history.record(
        session,
        entity=entity,
        entity_id=entity_id,
        action=action,
        actor_id=actor_id,
        at=now,
        changes=changed,
        note=note,
    )
    changes.record(
        session,
        entity=entity,
        entity_id=entity_id,
        action=feed_action or (action if action in FEED_ACTIONS else "updated"),
        version=version,
        data=data,
        at=now,
    )
