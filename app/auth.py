"""The only code that reads credentials: bearer tokens to users, and role checks."""

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app import limits
from app.changes import service as changes
from app.config import Settings
from app.contract import answers
from app.db import SAFE_METHODS, SessionDep
from app.errors import AppError, Forbidden, TooManyRequests, Unauthenticated
from app.i18n import N_
from app.live.watcher import Snapshot
from app.models import ApiToken, Role, User, WebSession

TOKEN_PREFIX = "pnt_"


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secret has 256 random bits, so a fast hash is enough; a slow KDF would only slow polls.
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer_secret(request: Request) -> str | None:
    return secret_of(request.headers.get("authorization", ""))


def secret_of(authorization: str) -> str | None:
    """The secret of an `Authorization: Bearer …` header's value."""
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


# The data version comes in the same round trip: every authenticated collection read needs
# both (app.deps.data_etag). Built once: this runs on every request.
AUTHENTICATE = (
    select(User, col(ApiToken.revoked_at), col(ApiToken.expires_at), changes.version_of())
    .join(ApiToken, col(ApiToken.user_id) == col(User.id))
    .where(col(ApiToken.token_hash) == bindparam("token_hash"))
)


def user_for_secret(session: Session, secret: str, now: datetime) -> tuple[User | None, int]:
    """The token's user (None when the token is unknown, revoked or expired, or the user
    inactive) and the data version."""
    row = session.exec(AUTHENTICATE, params={"token_hash": hash_secret(secret)}).first()
    if row is None:
        return None, 0
    user, revoked_at, expires_at, version = row
    if revoked_at is not None or not user.active:
        return None, version or 0
    if expires_at is not None and expires_at <= now:
        return None, version or 0
    return user, version or 0


def granted(snapshot: Snapshot, secret: str, now: datetime) -> User | None:
    """The token's user by this process's snapshot of live tokens (app.live.watcher);
    None when the snapshot does not know the token (new, revoked or expired): the database
    decides then."""
    grant = snapshot.tokens.get(hash_secret(secret))
    return grant.user if grant is not None and grant.valid(now) else None


@answers(bearer=True)
async def current_user(request: Request, session: SessionDep) -> User:
    """The caller. A read is authenticated from the snapshot when it is fresh, as a poll
    answered by the fast path is, with the same bound on revocation (a commit anywhere reaches
    every replica's snapshot within a second; a write of this process voids it at once); a
    write, or a token the snapshot does not know, asks the database (docs/decisions/0010)."""
    secret = bearer_secret(request)
    if secret is None:
        return await _session_caller(request, session)
    now = request.app.state.clock.now()
    snapshot = request.app.state.live.watcher.current() if request.method in SAFE_METHODS else None
    user = granted(snapshot, secret, now) if snapshot is not None else None
    if snapshot is not None and user is not None:
        version = snapshot.version
    else:
        user, version = await run_in_threadpool(user_for_secret, session, secret, now)
    if user is None:
        raise await failed(request, session, Unauthenticated(BAD_TOKEN))
    request.state.user = user
    request.state.data_version = version  # read before anything else of this request
    return user


SESSION_COOKIE = "pantau_session"


def _live(row: WebSession, user: User, now: datetime, idle: timedelta) -> bool:
    return (
        row.revoked_at is None and user.active and row.expires_at > now and row.seen_at + idle > now
    )


def session_user(
    session: Session, secret: str, *, now: datetime, settings: Settings
) -> tuple[WebSession, User] | None:
    """The session of a cookie and its person, while the session is live."""
    found = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(col(WebSession.secret_hash) == hash_secret(secret))
    ).first()
    if found is None:
        return None
    row, user = found
    idle = timedelta(minutes=settings.session_idle_minutes)
    return (row, user) if _live(row, user, now, idle) else None


# A page view moves the idle clock at most once a minute: not a write per request.
SEEN_STEP = timedelta(minutes=1)


def touch(session: Session, row: WebSession, now: datetime) -> None:
    if now - row.seen_at >= SEEN_STEP:
        row.seen_at = now
        session.add(row)


def _cookie_user(request: Request, session: Session, secret: str) -> tuple[User | None, int]:
    now = request.app.state.clock.now()
    found = session_user(session, secret, now=now, settings=request.app.state.settings)
    return (found[1] if found else None), changes.current_version(session)


async def _session_caller(request: Request, session: Session) -> User:
    """A browser signed in to the pages reads the API with its session cookie (the dashboard
    does). Only reads: a write by cookie could be forged by another site, so the API's writes
    take a bearer token, and the pages' forms carry a CSRF token (app.pages.security)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret is None or request.method not in SAFE_METHODS:
        raise Unauthenticated()
    user, version = await run_in_threadpool(_cookie_user, request, session, secret)
    if user is None:
        raise await failed(request, session, Unauthenticated(N_("Sign in first.")))
    request.state.user = user
    request.state.data_version = version
    return user


BAD_TOKEN = N_("The token is unknown, revoked or expired.")
TOO_MANY_FAILURES = N_(
    "Too many failed attempts to authenticate from your address; try again in {seconds} seconds."
)


def failure_limit(settings: Settings) -> limits.Limit:
    return limits.Limit(
        "auth-failure",
        settings.auth_failures_per_client,
        timedelta(seconds=settings.auth_failure_window_seconds),
        TOO_MANY_FAILURES,
    )


@answers(429)
async def failed(request: Request, session: Session, error: Unauthenticated) -> AppError:
    """The answer to a credential that failed: `error` (401), counted against the client's
    address; 429 once the address has failed too often (decision 15). A valid credential is
    never refused by the count. The request's own transaction ends first: a write's holds
    SQLite's write lock, which the count's transaction would wait for until it timed out."""
    if session.in_transaction():
        await run_in_threadpool(session.rollback)
    state = request.app.state
    key = limits.client_key(request.client.host if request.client else None)
    limit = failure_limit(state.settings)
    try:
        await run_in_threadpool(limits.hit, state.engine, limit, key, state.clock.now())
    except TooManyRequests as refused:
        return refused
    return error


CurrentUserDep = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    allowed = frozenset(roles) | {Role.admin}

    async def check(user: CurrentUserDep) -> User:  # no I/O: no thread-pool hop
        if user.role not in allowed:
            raise Forbidden(N_("Your role ({role}) may not do this."), role=user.role.value)
        return user

    return check


AdminDep = Annotated[User, Depends(require_role(Role.admin))]
CoordinatorDep = Annotated[User, Depends(require_role(Role.coordinator))]
WriterDep = Annotated[User, Depends(require_role(Role.coordinator, Role.contributor))]
