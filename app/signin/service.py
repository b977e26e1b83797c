"""Sign-in by a one-time e-mail link, and the server-side sessions it opens.

Secrets (link and session) are 256 random bits; only their SHA-256 is stored, as for API
tokens (app.auth). Nothing here commits: the request's or job's transaction does.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth import hash_secret, new_secret
from app.config import Settings
from app.errors import TooManyRequests
from app.i18n import N_
from app.models import SignInRequest, User, WebSession

LINK_PREFIX = "psl_"
SESSION_PREFIX = "pss_"


@dataclass(frozen=True)
class Link:
    """A link just made for a known, active person: the secret is in the e-mail only."""

    user: User
    secret: str


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def client_key(address: str | None) -> str:
    """The client a limit counts: its address, hashed so the table holds no addresses."""
    return hashlib.sha256((address or "unknown").encode()).hexdigest()


def _recent(session: Session, column: object, value: str, since: datetime) -> int:
    statement = select(func.count()).where(column == value, col(SignInRequest.requested_at) > since)
    return int(session.exec(statement).one())


def check_limits(
    session: Session, email_key: str, client: str, *, now: datetime, settings: Settings
) -> None:
    """429 once an address or a client has asked for too many links in the window."""
    window = timedelta(minutes=settings.sign_in_window_minutes)
    by_address = _recent(session, col(SignInRequest.email_hash), email_key, now - window)
    by_client = _recent(session, col(SignInRequest.client), client, now - window)
    if by_address >= settings.sign_in_per_address or by_client >= settings.sign_in_per_client:
        seconds = int(window.total_seconds())
        raise TooManyRequests(
            N_("Too many sign-in links were asked for; try again later."),
            headers={"Retry-After": str(seconds)},
        )


def request_link(
    session: Session, email: str, client: str, *, now: datetime, settings: Settings
) -> Link | None:
    """A link for the address's person; None for an unknown or inactive address, which the
    caller answers exactly as a known one."""
    key = email_hash(email)
    check_limits(session, key, client, now=now, settings=settings)
    user = active_user(session, email)
    row = SignInRequest(email_hash=key, client=client, requested_at=now)
    link = None
    if user is not None:
        link = Link(user, new_secret(LINK_PREFIX))
        row.user_id = user.id
        row.token_hash = hash_secret(link.secret)
        row.expires_at = now + timedelta(minutes=settings.sign_in_link_minutes)
    session.add(row)
    session.flush()
    return link


def active_user(session: Session, email: str) -> User | None:
    return session.exec(
        select(User).where(col(User.email) == email.strip().lower(), col(User.active))
    ).first()


def link_for(session: Session, user: User, *, now: datetime, settings: Settings) -> str:
    """A link made on the command line (the operator's own machine: no limits)."""
    secret = new_secret(LINK_PREFIX)
    session.add(
        SignInRequest(
            email_hash=email_hash(user.email),
            client="command-line",
            requested_at=now,
            user_id=user.id,
            token_hash=hash_secret(secret),
            expires_at=now + timedelta(minutes=settings.sign_in_link_minutes),
        )
    )
    session.flush()
    return secret


def usable_link(session: Session, secret: str, now: datetime) -> SignInRequest | None:
    """The link's request while it can still sign in: known, unused and unexpired."""
    row = session.exec(
        select(SignInRequest)
        .where(col(SignInRequest.token_hash) == hash_secret(secret))
        .with_for_update()
    ).first()
    if row is None or row.used_at is not None or row.expires_at is None:
        return None
    return row if row.expires_at > now else None


def redeem(session: Session, secret: str, *, now: datetime, settings: Settings) -> str | None:
    """Use the link once and open a session; returns the session's secret (for the cookie),
    or None for a link that is unknown, used, expired, or whose person is no longer active."""
    row = usable_link(session, secret, now)
    if row is None or row.user_id is None:
        return None
    row.used_at = now
    session.add(row)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return open_session(session, user.id, now=now, settings=settings)


def open_session(session: Session, user_id: UUID, *, now: datetime, settings: Settings) -> str:
    secret = new_secret(SESSION_PREFIX)
    session.add(
        WebSession(
            user_id=user_id,
            secret_hash=hash_secret(secret),
            created_at=now,
            seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
        )
    )
    session.flush()
    return secret


def end_session(session: Session, secret: str, now: datetime) -> None:
    row = session.exec(
        select(WebSession).where(col(WebSession.secret_hash) == hash_secret(secret))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
