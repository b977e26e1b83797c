"""The only code that reads credentials: bearer tokens to users, and role checks."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session, col, select

from app.db import SessionDep
from app.errors import Forbidden, Unauthenticated
from app.models import ApiToken, Role, User

TOKEN_PREFIX = "pnt_"


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secret has 256 random bits, so a fast hash is enough; a slow KDF would only slow polls.
    return hashlib.sha256(secret.encode()).hexdigest()


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def user_for_secret(session: Session, secret: str, now: datetime) -> User | None:
    statement = (
        select(User, ApiToken)
        .join(ApiToken, col(ApiToken.user_id) == col(User.id))
        .where(col(ApiToken.token_hash) == hash_secret(secret))
    )
    row = session.exec(statement).first()
    if row is None:
        return None
    user, token = row
    if token.revoked_at is not None or not user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return user


def current_user(request: Request, session: SessionDep) -> User:
    secret = bearer_secret(request)
    if secret is None:
        raise Unauthenticated()
    user = user_for_secret(session, secret, request.app.state.clock.now())
    if user is None:
        raise Unauthenticated("detail.bad-token")
    request.state.user = user
    return user


CurrentUserDep = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    allowed = frozenset(roles) | {Role.admin}

    def check(user: CurrentUserDep) -> User:
        if user.role not in allowed:
            raise Forbidden("detail.role", role=user.role.value)
        return user

    return check


AdminDep = Annotated[User, Depends(require_role(Role.admin))]
CoordinatorDep = Annotated[User, Depends(require_role(Role.coordinator))]
WriterDep = Annotated[User, Depends(require_role(Role.coordinator, Role.contributor))]
