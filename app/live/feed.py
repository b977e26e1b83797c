"""Reading the change feed.

Writers take their `seq` from the locked data-version row (app.changes.service.bump), so changes
become visible in `seq` order: a reader that has seen `seq` N will never later find a change
below N, and `seq > cursor` in commit order is the whole protocol, whatever the database.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import Session, col, select

from app.live.schemas import ChangePublic
from app.models import Change, Role, User

# Changes whose data only an admin reads in full: others see that they happened, not what.
PRIVATE_ENTITIES = frozenset({"token", "user"})


class Audience(Enum):
    admin = "admin"
    reader = "reader"  # any other signed-in role
    public = "public"  # the anonymous public dashboard: no data at all, no private entities


def audience_of(user: User | None) -> Audience:
    if user is None:
        return Audience.public
    return Audience.admin if user.role is Role.admin else Audience.reader


@dataclass(frozen=True)
class FeedItem:
    """A change serialised once for every client: with its data, and without."""

    seq: int
    entity: str
    at: datetime
    full: bytes
    bare: bytes

    def body_for(self, audience: Audience) -> bytes | None:
        """What this audience receives; None when the change is not for it."""
        if audience is Audience.admin:
            return self.full
        if self.entity in PRIVATE_ENTITIES:
            return None if audience is Audience.public else self.bare
        return self.bare if audience is Audience.public else self.full


def read(session: Session, *, after: int, limit: int) -> list[Change]:
    statement = select(Change).where(col(Change.seq) > after).order_by(col(Change.seq))
    return list(session.exec(statement.limit(limit)).all())


def public(change: Change, *, with_data: bool = True) -> ChangePublic:
    return ChangePublic(
        seq=change.seq,
        entity=change.entity,
        entity_id=change.entity_id,
        action=change.action,
        version=change.version,
        at=change.at,
        data=change.data if with_data else None,
    )


def item(change: Change) -> FeedItem:
    full = public(change).model_dump_json().encode()
    bare = public(change, with_data=False).model_dump_json().encode()
    return FeedItem(seq=change.seq, entity=change.entity, at=change.at, full=full, bare=bare)


def page(
    session: Session, *, after: int, limit: int, audience: Audience
) -> tuple[list[ChangePublic], str | None]:
    """One page of the feed; the cursor is the last seq served, when the page was full."""
    changes = read(session, after=after, limit=limit)
    items = [
        public(
            change, with_data=audience is Audience.admin or change.entity not in PRIVATE_ENTITIES
        )
        for change in changes
    ]
    return items, str(changes[-1].seq) if len(changes) == limit else None
