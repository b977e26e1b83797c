from datetime import UTC, datetime
from uuid import UUID

from sqlmodel import Session, col, select

from app import audit
from app.auth import hash_secret, new_secret
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import ApiToken, Role, User
from app.users.schemas import TokenCreate, TokenCreated, TokenPublic

ENTITY = "token"


def version(token: ApiToken) -> int:
    """Tokens carry no version column: they change once, when revoked."""
    return 1 if token.revoked_at is None else 2


def public(token: ApiToken) -> TokenPublic:
    return TokenPublic.model_validate(token.model_dump())


def _record(
    session: Session, token: ApiToken, action: str, actor_id: UUID | None, now: datetime
) -> None:
    # No data: token names and owners are nobody else's business. The version bump is what
    # matters, so caches of valid tokens built on it notice a revocation.
    audit.record(
        session,
        entity=ENTITY,
        entity_id=token.id,
        action=action,
        version=version(token),
        data=None,
        actor_id=actor_id,
        now=now,
        feed_action="deleted" if action == "revoked" else None,
    )


def issue(
    session: Session,
    user: User,
    *,
    name: str,
    expires_at: datetime | None,
    actor_id: UUID | None,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token for the user and its secret, which is not stored: only its SHA-256 is."""
    secret = new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:8],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    _record(session, token, "created", actor_id, now)
    return token, secret


def _may_act_for(actor: User, user_id: UUID) -> None:
    if actor.role is not Role.admin and actor.id != user_id:
        raise Forbidden(N_("You may create, see and revoke only your own tokens."))


def create(session: Session, data: TokenCreate, *, actor: User, now: datetime) -> TokenCreated:
    _may_act_for(actor, data.user_id)
    user = session.get(User, data.user_id)
    if user is None:
        raise NotFound("user")
    if not user.active:
        raise Conflict(N_("The user is deactivated."))
    if data.expires_at is not None and data.expires_at <= now:
        raise Invalid("expires_at", N_("Must be in the future."))
    expires_at = data.expires_at.astimezone(UTC) if data.expires_at else None
    token, secret = issue(
        session, user, name=data.name, expires_at=expires_at, actor_id=actor.id, now=now
    )
    return TokenCreated(**public(token).model_dump(), token=secret)


def list_tokens(
    session: Session, page: PageParams, *, actor: User, user_id: UUID | None
) -> tuple[list[TokenPublic], str | None]:
    if user_id is not None:
        _may_act_for(actor, user_id)
    elif actor.role is not Role.admin:
        user_id = actor.id
    statement = select(ApiToken)
    if user_id is not None:
        statement = statement.where(col(ApiToken.user_id) == user_id)
    key = [col(ApiToken.created_at), col(ApiToken.id)]
    rows, cursor = paginate(session, statement, key, page)
    return [public(row) for row in rows], cursor


def get(session: Session, token_id: UUID, *, actor: User) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(ENTITY)
    _may_act_for(actor, token.user_id)
    return token


def revoke(session: Session, token: ApiToken, *, actor: User, now: datetime) -> None:
    """Revoking twice is a no-op, so a retried DELETE answers the same."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    session.add(token)
    _record(session, token, "revoked", actor.id, now)
