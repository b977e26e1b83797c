"""A limit on attempts per client (or address, or any key), counted in the database so that
every API replica shares it: a fixed window per key, one upsert per attempt counted.

Use: `hit(engine, limit, key, now)` records an attempt in a transaction of its own (an attempt
that ends in a refusal must still count, while the request's own transaction rolls back) and
raises 429 with `Retry-After` once the key has used its attempts; `left` only reads. Failed
authentication (app.auth) counts here; the sign-in page can count its links the same way.
Decision 15 (docs/decisions/0015-failed-authentication-limited-per-client.md).
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete

from app.db import unit_of_work
from app.errors import TooManyRequests
from app.i18n import N_, Message
from app.models import AttemptCount

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
TOO_MANY = N_("Too many attempts from your address; try again in {seconds} seconds.")


@dataclass(frozen=True)
class Limit:
    bucket: str  # what is counted: "auth-failure", "sign-in-address"…
    attempts: int  # allowed per window; the next one is refused
    window: timedelta
    detail: Message = TOO_MANY


def client_key(address: str | None) -> str:
    """The key of a client: its address, hashed so that no table holds addresses."""
    return hashlib.sha256((address or "unknown").encode()).hexdigest()


def _window(limit: Limit, now: datetime) -> tuple[datetime, int]:
    """The start of the window `now` falls in, and the whole seconds left in it (at least 1)."""
    elapsed = (now - EPOCH) % limit.window
    start = now - elapsed
    return start, max(1, int((limit.window - elapsed).total_seconds() + 0.999))


def _count(session: Session, limit: Limit, key: str, start: datetime) -> int:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(AttemptCount).values(
        bucket=limit.bucket, key=key, window_start=start, count=1
    )
    upsert = insert.on_conflict_do_update(
        index_elements=["bucket", "key", "window_start"],
        set_={"count": AttemptCount.__table__.c.count + 1},  # type: ignore[attr-defined]
    ).returning(col(AttemptCount.count))
    return int(session.exec(upsert).one()[0])


def refused(limit: Limit, retry_after: int) -> TooManyRequests:
    headers = {"Retry-After": str(retry_after)}
    return TooManyRequests(limit.detail, headers=headers, seconds=retry_after)


def left(session: Session, limit: Limit, key: str, now: datetime) -> int:
    """Attempts the key has left in the current window."""
    row = session.get(AttemptCount, (limit.bucket, key, _window(limit, now)[0]))
    return limit.attempts - (row.count if row is not None else 0)


def hit(engine: Engine, limit: Limit, key: str, now: datetime) -> None:
    """Count an attempt; 429 when it is beyond the limit. A refused attempt is not counted,
    so a client that keeps trying costs a read, not a write."""
    start, retry_after = _window(limit, now)
    with unit_of_work(engine, write=False) as session:
        if left(session, limit, key, now) <= 0:
            raise refused(limit, retry_after)
    with unit_of_work(engine) as session:
        # Windows that ended go with the next attempt counted, so the table cleans itself.
        session.exec(
            delete(AttemptCount)
            .where(col(AttemptCount.bucket) == limit.bucket)
            .where(col(AttemptCount.window_start) < start - limit.window)
        )
        count = _count(session, limit, key, start)
    if count > limit.attempts:
        raise refused(limit, retry_after)
