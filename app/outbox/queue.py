"""Claiming outbox rows under a lease and recording what became of them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.changes import service as changes
from app.models import DeliveryStatus
from app.models.reminder import OPEN_STATUSES, Outbox

# Collections of reminders and deliveries are versioned apart from the task data, so a busy
# worker does not invalidate every dashboard's cached task list.
SCOPE = "outbox"

Row = TypeVar("Row", bound=Outbox)


@dataclass(frozen=True)
class Lease:
    now: datetime
    length: timedelta
    worker: str
    limit: int


def claim(
    session: Session,
    model: type[Row],
    lease: Lease,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    join: Any = None,
) -> list[Row]:
    """Rows due now that no live lease holds, leased to `lease.worker`.

    FOR UPDATE SKIP LOCKED on PostgreSQL: concurrent claimers take disjoint rows without
    waiting. On SQLite the write transaction's BEGIN IMMEDIATE serialises claimers instead.
    The lease commits with the claim, so a claimer that dies leaves rows that come back when
    the lease runs out.
    """
    statement = select(model) if join is None else select(model).join(*join)
    statement = (
        statement.where(*_due(model, lease.now), *where)
        .order_by(*(col(getattr(model, name)) for name in ("next_attempt_at", "created_at", "id")))
        .limit(lease.limit)
        .with_for_update(skip_locked=True, of=model)
    )
    rows = list(session.exec(statement).all())
    for row in rows:
        row.claimed_until = lease.now + lease.length
        row.claimed_by = lease.worker
        session.add(row)
    session.flush()
    return rows


def _due(model: Any, now: datetime) -> list[ColumnElement[bool]]:
    claimed_until = col(model.claimed_until)
    return [
        col(model.status).in_(OPEN_STATUSES),
        col(model.next_attempt_at) <= now,
        or_(claimed_until.is_(None), claimed_until <= now),
    ]


def backoff(attempts: int, base: float, ceiling: float) -> timedelta:
    """Exponential: base, 2×base, 4×base … after the 1st, 2nd, 3rd failure, up to the ceiling."""
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, attempts - 1)))


def succeeded(row: Outbox, now: datetime) -> None:
    row.attempts += 1
    row.status = DeliveryStatus.sent
    row.sent_at = now
    row.last_error = None
    _release(row, now)


def failed(row: Outbox, now: datetime, error: str, *, max_attempts: int, retry: timedelta) -> None:
    """Counts the attempt; `dead` after the last one, else retried after `retry`."""
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= max_attempts:
        row.status = DeliveryStatus.dead
    else:
        row.status = DeliveryStatus.failed
        row.next_attempt_at = now + retry
    _release(row, now)


def cancelled(row: Outbox, now: datetime, reason: str) -> None:
    row.status = DeliveryStatus.cancelled
    row.last_error = reason
    _release(row, now)


def _release(row: Outbox, now: datetime) -> None:
    row.claimed_until = None
    row.claimed_by = None
    row.updated_at = now


def touched(session: Session) -> None:
    """Moves the version that reminder and delivery collection ETags are built on."""
    changes.bump(session, SCOPE)


def version(session: Session) -> int:
    return changes.current_version(session, SCOPE)
