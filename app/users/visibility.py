"""Who sees whom, and whose e-mail address: the one rule for every answer that names people
(users, task exports, reminders). An address is shown to admins, to the person, and to a
coordinator for the people of the plans it coordinates; to no one else."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import Commitment, History, PlanCoordinator, Role, Task, TaskOwner, User

ENTITY = "user"


def _plans_of(coordinator: User) -> SelectOfScalar[UUID]:
    return select(PlanCoordinator.plan_id).where(col(PlanCoordinator.user_id) == coordinator.id)


def created_by(coordinator: User) -> SelectOfScalar[UUID]:
    """The users a coordinator created: the ones it looks after (docs: who may do what)."""
    return select(History.entity_id).where(
        col(History.entity) == ENTITY,
        col(History.action) == "created",
        col(History.actor_id) == coordinator.id,
    )


def _visible_to(coordinator: User) -> ColumnElement[bool]:
    """The people of a coordinator's plans: users of the organisations that own tasks or lead
    commitments there, the tasks' assignees, the plans' coordinators, the users it created,
    and itself."""
    plans = _plans_of(coordinator)
    tasks = (
        select(Task.id)
        .join(Commitment, col(Commitment.id) == col(Task.commitment_id))
        .where(col(Commitment.plan_id).in_(plans))
    )
    owners = select(TaskOwner.organisation_id).where(col(TaskOwner.task_id).in_(tasks))
    assignees = select(Task.assignee_id).where(col(Task.id).in_(tasks))
    leads = select(Commitment.lead_organisation_id).where(col(Commitment.plan_id).in_(plans))
    peers = select(PlanCoordinator.user_id).where(col(PlanCoordinator.plan_id).in_(plans))
    return or_(
        col(User.id) == coordinator.id,
        col(User.organisation_id).in_(owners),
        col(User.organisation_id).in_(leads),
        col(User.id).in_(assignees),
        col(User.id).in_(peers),
        col(User.id).in_(created_by(coordinator)),
    )


def scope(viewer: User) -> ColumnElement[bool] | None:
    """The users the viewer sees, as a condition on User (None: everyone)."""
    if viewer.role is Role.admin:
        return None
    if viewer.role is Role.coordinator:
        return _visible_to(viewer)
    return col(User.id) == viewer.id


def can_see(session: Session, viewer: User, user: User) -> bool:
    condition = scope(viewer)
    if condition is None or viewer.id == user.id:
        return True
    return (
        session.exec(select(User.id).where(col(User.id) == user.id, condition)).first() is not None
    )


def seen(session: Session, viewer: User, user_ids: Iterable[UUID | None]) -> set[UUID]:
    """Of these users, the ones whose e-mail address the viewer may read."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    condition = scope(viewer)
    if not wanted or condition is None:
        return wanted
    statement = select(User.id).where(col(User.id).in_(wanted), condition)
    return set(session.exec(statement).all())


def addresses(session: Session, viewer: User, user_ids: Iterable[UUID | None]) -> dict[UUID, str]:
    """The e-mail addresses of those of these users whom the viewer may see."""
    visible = seen(session, viewer, user_ids)
    if not visible:
        return {}
    statement = select(User.id, User.email).where(col(User.id).in_(visible))
    return dict(session.exec(statement).all())


def manages(session: Session, coordinator: User, user: User) -> bool:
    """A coordinator looks after the contributors and viewers it created. Owners named on a
    task can be any organisation, so they grant no right over that organisation's people."""
    statement = select(User.id).where(
        col(User.id) == user.id, col(User.id).in_(created_by(coordinator))
    )
    return session.exec(statement).first() is not None


def creating_coordinator(session: Session, user: User) -> UUID | None:
    """The coordinator that created this user, if one did (not an admin or the command line):
    the plans it coordinates bound what the user may write (docs: who may do what), since a
    coordinator chooses the organisation and the address it signs in with."""
    statement = (
        select(User.id)
        .join(History, col(History.actor_id) == col(User.id))
        .where(
            col(History.entity) == ENTITY,
            col(History.entity_id) == user.id,
            col(History.action) == "created",
            col(User.role) == Role.coordinator,
        )
    )
    return session.exec(statement).first()
