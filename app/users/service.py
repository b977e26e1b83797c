import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app import audit
from app.auth import new_secret
from app.errors import Conflict, Forbidden, NotFound, invalid
from app.history import service as history
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import (
    Organisation,
    Role,
    User,
)
from app.organisations import service as organisations
from app.users import tokens_service as tokens
from app.users import visibility
from app.users.schemas import EMAIL, UserCreate, UserPublic, UserUpdate

ENTITY = "user"
# What a coordinator may create and look after; admins and coordinators are an admin's call.
MANAGED_ROLES = frozenset({Role.contributor, Role.viewer})
# The address is where reminders and sign-in links go: only its owner or an admin moves it.
SELF_FIELDS = frozenset({"name", "email", "locale", "time_zone", "digest"})
COORDINATOR_FIELDS = frozenset({"name", "locale", "time_zone", "digest", "active"})
NOT_NULL = frozenset({"name", "email", "role", "locale", "digest", "active"})


def get(session: Session, user_id: UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(ENTITY)
    return user


def get_visible(session: Session, user_id: UUID, *, viewer: User) -> User:
    """The user, when the viewer may see them (403 otherwise)."""
    user = get(session, user_id)
    if not visibility.can_see(session, viewer, user):
        raise Forbidden(N_("This user is outside the people you may see."))
    return user


def public(user: User) -> UserPublic:
    return UserPublic.model_validate(user.model_dump())


def list_users(
    session: Session,
    page: PageParams,
    *,
    viewer: User,
    role: Role | None,
    organisation: str | None,
) -> tuple[list[UserPublic], str | None]:
    statement = select(User)
    scope = visibility.scope(viewer)
    if scope is not None:
        statement = statement.where(scope)
    if role is not None:
        statement = statement.where(col(User.role) == role)
    if organisation is not None:
        found = organisations.find(session, organisation)  # unknown: an empty page, as /tasks
        statement = statement.where(col(User.organisation_id) == (found.id if found else None))
    rows, cursor = paginate(session, statement, [col(User.email)], page)
    return [public(row) for row in rows], cursor


def _check_email(session: Session, email: str, user_id: UUID | None) -> str:
    """The address as stored: lower case, so uniqueness ignores case."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise invalid("email", N_("Not an e-mail address."))
    taken = session.exec(select(User.id).where(col(User.email) == email)).first()
    if taken is not None and taken != user_id:
        raise Conflict(
            N_("A {entity} with that {field} exists already."), entity=ENTITY, field="email"
        )
    return email


def _check_time_zone(time_zone: str | None) -> None:
    if time_zone is None:
        return
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise invalid(
            "time_zone", N_("Unknown time zone: use an IANA name such as Asia/Jakarta.")
        ) from error


def _check_organisation(session: Session, role: Role, organisation_id: UUID | None) -> None:
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise invalid("organisation_id", N_("No organisation with that id."))
    if role is Role.contributor and organisation_id is None:
        raise invalid("organisation_id", N_("A contributor needs an organisation."))


def _feed_data(user: User) -> dict[str, Any]:
    # No e-mail address: the change feed reaches dashboards and viewers.
    return {
        "id": str(user.id),
        "name": user.name,
        "role": user.role.value,
        "organisation_id": str(user.organisation_id) if user.organisation_id else None,
        "active": user.active,
    }


def _record(
    session: Session,
    user: User,
    action: str,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    audit.record(
        session,
        entity=ENTITY,
        entity_id=user.id,
        action=action,
        version=user.version,
        data=_feed_data(user),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(session: Session, data: UserCreate, *, actor: User, now: datetime) -> User:
    if actor.role is not Role.admin and data.role not in MANAGED_ROLES:
        raise Forbidden(N_("A coordinator may create contributors and viewers only."))
    return _insert(session, data, actor_id=actor.id, now=now)


def _insert(session: Session, data: UserCreate, *, actor_id: UUID | None, now: datetime) -> User:
    email = _check_email(session, data.email, None)
    _check_time_zone(data.time_zone)
    _check_organisation(session, data.role, data.organisation_id)
    user = User(**{**data.model_dump(), "email": email}, created_at=now, updated_at=now)
    session.add(user)
    session.flush()
    _record(session, user, "created", actor_id, now)
    return user


def _check_may_change(session: Session, actor: User, user: User, fields: Iterable[str]) -> None:
    if actor.role is Role.admin:
        return
    allowed: frozenset[str] = frozenset()
    if actor.id == user.id:
        allowed = SELF_FIELDS
    elif actor.role is Role.coordinator and user.role in MANAGED_ROLES:
        allowed = COORDINATOR_FIELDS if visibility.manages(session, actor, user) else allowed
    for field in sorted(fields):
        if field not in allowed:
            raise Forbidden(N_("You may not change {field} of this user."), field=field)


def _check_fields(session: Session, user: User, fields: dict[str, Any], actor: User) -> None:
    nulls = sorted(NOT_NULL & {field for field, value in fields.items() if value is None})
    if nulls:
        raise invalid(nulls[0], N_("May not be null."))
    if "email" in fields:
        fields["email"] = _check_email(session, fields["email"], user.id)
    _check_time_zone(fields.get("time_zone"))
    role = fields.get("role", user.role)
    _check_organisation(session, role, fields.get("organisation_id", user.organisation_id))
    demoted = role is not Role.admin or fields.get("active") is False
    if actor.role is Role.admin and actor.id == user.id and demoted:
        raise Conflict(
            N_("You cannot remove your own admin role or deactivate yourself.")
        )  # the last admin must not lock everyone out


def changes(session: Session, user: User, data: UserUpdate, *, actor: User) -> dict[str, Any]:
    """The fields a PATCH changes, checked (403, 422): before its precondition (412), so that
    a body that could never apply is refused as such whatever version it names."""
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    _check_may_change(session, actor, user, fields)
    _check_fields(session, user, fields, actor)
    return fields


def update(
    session: Session, user: User, fields: dict[str, Any], *, actor: User, now: datetime
) -> User:
    """Apply `changes`' fields."""
    changed = history.diff(user.model_dump(), fields)
    if not changed:
        return user
    for field, (_old, new) in changed.items():
        setattr(user, field, new)
    user.version += 1
    user.updated_at = now
    session.add(user)
    _record(session, user, "updated", actor.id, now, changed=changed)
    return user


def _by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(col(User.email) == email.strip().lower())).first()


def create_with_token(
    session: Session,
    *,
    role: Role,
    name: str,
    organisation_ref: str | None,
    email: str | None,
    now: datetime,
) -> str:
    """A token for a new user, or for the user of that e-mail address when one with the same
    role exists (so `make run` may run again); returns the token, which is not stored."""
    existing = _by_email(session, email) if email else None
    if existing is not None and existing.role is role:
        user = existing
    else:
        organisation = (
            organisations.resolve(session, organisation_ref) if organisation_ref else None
        )
        slug = re.sub(r"[^a-z0-9]+", ".", name.casefold()).strip(".") or "user"
        data = UserCreate(
            name=name,
            email=email or f"{slug}.{new_secret('')[:6].lower()}@pantau.invalid",
            role=role,
            organisation_id=organisation.id if organisation else None,
        )
        user = _insert(session, data, actor_id=None, now=now)
    _token, secret = tokens.issue(
        session, user, name=f"{name} (command line)", expires_at=None, actor_id=None, now=now
    )
    return secret
