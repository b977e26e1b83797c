"""Per-user calendar feed keys: calendar programs cannot send an Authorization header, so the
feed's address carries a key. Only its SHA-256 is kept, and a new key replaces the old one."""

from datetime import datetime

from sqlmodel import Session, col, select

from app import audit
from app.auth import hash_secret, new_secret
from app.config import Settings
from app.models import User

PREFIX = "pfk_"
ENTITY = "user"  # the key belongs to the user; the feed shows only that it changed


def calendar_url(settings: Settings, key: str) -> str:
    return f"{settings.public_url.rstrip('/')}{settings.api_prefix}/calendar.ics?key={key}"


def _record(session: Session, user: User, action: str, now: datetime) -> None:
    audit.record(
        session,
        entity=ENTITY,
        entity_id=user.id,
        action=action,
        version=user.version,
        data=None,
        actor_id=user.id,
        now=now,
    )


def create(session: Session, user: User, *, now: datetime) -> str:
    """A new key for the user, which replaces any earlier one; the key is not stored."""
    key = new_secret(PREFIX)
    user.feed_key_hash = hash_secret(key)
    session.add(user)
    _record(session, user, "feed_key_created", now)
    return key


def revoke(session: Session, user: User, *, now: datetime) -> None:
    if user.feed_key_hash is None:
        return
    user.feed_key_hash = None
    session.add(user)
    _record(session, user, "feed_key_revoked", now)


def user_for_key(session: Session, key: str) -> User | None:
    user = session.exec(select(User).where(col(User.feed_key_hash) == hash_secret(key))).first()
    return user if user is not None and user.active else None
