from datetime import datetime
from uuid import UUID

from sqlmodel import Session, col, select

from app.audit import record
from app.errors import NotFound, invalid
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Organisation, Plan, PlanCoordinator, Role, User
from app.plans.schemas import CoordinatorPublic, Ref
from app.plans.service import as_uuid

ENTITY = "plan_coordinator"


def _user(session: Session, user_id: str) -> User:
    key = as_uuid(user_id)
    user = session.get(User, key) if key is not None else None
    if user is None:
        raise NotFound("user")
    return user


def _public(users: list[User], session: Session) -> list[CoordinatorPublic]:
    organisation_ids = {user.organisation_id for user in users if user.organisation_id}
    organisations = {
        row.id: Ref(id=row.id, code=row.code)
        for row in session.exec(
            select(Organisation).where(col(Organisation.id).in_(organisation_ids))
        )
    }
    return [
        CoordinatorPublic(
            id=user.id,
            name=user.name,
            role=user.role,
            organisation=organisations.get(user.organisation_id) if user.organisation_id else None,
        )
        for user in users
    ]


def list_coordinators(
    session: Session, plan: Plan, page: PageParams
) -> tuple[list[CoordinatorPublic], str | None]:
    statement = (
        select(User)
        .join(PlanCoordinator, col(PlanCoordinator.user_id) == col(User.id))
        .where(col(PlanCoordinator.plan_id) == plan.id)
    )
    rows, cursor = paginate(session, statement, [col(User.name), col(User.id)], page)
    return _public(rows, session), cursor


def _record(
    session: Session, plan: Plan, user: User, action: str, *, actor_id: UUID, now: datetime
) -> None:
    """Keyed by the plan (the link has no id of its own); the plan's version does not move,
    since its representation does not change."""
    member = {"plan": {"id": str(plan.id), "code": plan.code}, "user_id": str(user.id)}
    record(
        session,
        entity=ENTITY,
        entity_id=plan.id,
        action=action,
        version=plan.version,
        data=member,
        actor_id=actor_id,
        now=now,
        changed={"coordinator": (None, user.id) if action == "created" else (user.id, None)},
    )


def add(
    session: Session, plan: Plan, user_id: str, *, actor_id: UUID, now: datetime
) -> tuple[CoordinatorPublic, bool]:
    """Make the user a coordinator of the plan; the bool says whether it was new."""
    user = _user(session, user_id)
    if user.role not in (Role.coordinator, Role.admin):
        raise invalid(
            "user_id", N_("Only a user with the coordinator or admin role can coordinate a plan.")
        )
    created = session.get(PlanCoordinator, (plan.id, user.id)) is None
    if created:
        session.add(PlanCoordinator(plan_id=plan.id, user_id=user.id))
        _record(session, plan, user, "created", actor_id=actor_id, now=now)
    return _public([user], session)[0], created


def remove(session: Session, plan: Plan, user_id: str, *, actor_id: UUID, now: datetime) -> None:
    user = _user(session, user_id)
    link = session.get(PlanCoordinator, (plan.id, user.id))
    if link is None:
        raise NotFound("coordinator")
    session.delete(link)
    _record(session, plan, user, "deleted", actor_id=actor_id, now=now)
