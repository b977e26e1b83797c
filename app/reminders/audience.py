"""Who hears about a task: its assignee, the contributors of its lead organisation (so the
task is not orphaned when staff move on) and, for escalations, its plan's coordinators."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from sqlmodel import Session, col, select

from app.models import (
    Commitment,
    OwnerRole,
    Plan,
    PlanCoordinator,
    Role,
    Task,
    TaskOwner,
    User,
)

CHUNK = 500
T = TypeVar("T")


@dataclass
class Audience:
    task: Task
    commitment: Commitment
    plan: Plan
    people: list[User] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def deliverable(user: User) -> bool:
    """Active, with a real address: `.invalid` (RFC 2606) marks a placeholder."""
    return user.active and "@" in user.email and not user.email.lower().endswith(".invalid")


def _rows(session: Session, statement: Any, column: Any, keys: Sequence[Any]) -> list[Any]:
    found: list[Any] = []
    for part in chunks(sorted(set(keys), key=str)):
        found += session.exec(statement.where(col(column).in_(part))).all()
    return found


def load(session: Session, tasks: Sequence[Task]) -> list[Audience]:
    """The audiences of many tasks in a handful of queries, whatever their number."""
    commitments = _rows(
        session,
        select(Commitment, Plan).join(Plan, col(Plan.id) == col(Commitment.plan_id)),
        Commitment.id,
        [t.commitment_id for t in tasks],
    )
    by_commitment = {c.id: (c, p) for c, p in commitments}
    audiences = [Audience(t, *by_commitment[t.commitment_id]) for t in tasks]
    _add_people(session, audiences)
    _add_coordinators(session, audiences)
    return audiences


def _add_people(session: Session, audiences: list[Audience]) -> None:
    leads = _rows(
        session,
        select(TaskOwner).where(col(TaskOwner.role) == OwnerRole.lead),
        TaskOwner.task_id,
        [a.task.id for a in audiences],
    )
    lead_of: dict[UUID, set[UUID]] = {}
    for owner in leads:
        lead_of.setdefault(owner.task_id, set()).add(owner.organisation_id)
    contributors = _rows(
        session,
        select(User).where(col(User.role) == Role.contributor),
        User.organisation_id,
        [o for orgs in lead_of.values() for o in orgs],
    )
    by_org: dict[UUID | None, list[User]] = {}
    for user in contributors:
        by_org.setdefault(user.organisation_id, []).append(user)
    wanted = [a.task.assignee_id for a in audiences if a.task.assignee_id]
    assignees = {u.id: u for u in _rows(session, select(User), User.id, wanted)}
    for audience in audiences:
        assignee = assignees.get(audience.task.assignee_id) if audience.task.assignee_id else None
        people = [assignee] if assignee else []
        for organisation_id in sorted(lead_of.get(audience.task.id, set()), key=str):
            people += by_org.get(organisation_id, [])
        audience.people = _unique(people)


def coordinators_of(session: Session, plan_ids: Sequence[UUID]) -> dict[UUID, list[User]]:
    """The deliverable coordinators of each plan."""
    rows = _rows(
        session,
        select(PlanCoordinator, User).join(User, col(User.id) == col(PlanCoordinator.user_id)),
        PlanCoordinator.plan_id,
        plan_ids,
    )
    by_plan: dict[UUID, list[User]] = {}
    for coordinator, user in rows:
        by_plan.setdefault(coordinator.plan_id, []).append(user)
    return {plan_id: _unique(users) for plan_id, users in by_plan.items()}


def contributors_of(
    session: Session, organisation_ids: Sequence[UUID]
) -> dict[UUID | None, list[User]]:
    """The deliverable contributors of each organisation."""
    rows = _rows(
        session,
        select(User).where(col(User.role) == Role.contributor),
        User.organisation_id,
        organisation_ids,
    )
    by_org: dict[UUID | None, list[User]] = {}
    for user in rows:
        by_org.setdefault(user.organisation_id, []).append(user)
    return {organisation_id: _unique(users) for organisation_id, users in by_org.items()}


def _add_coordinators(session: Session, audiences: list[Audience]) -> None:
    by_plan = coordinators_of(session, [a.plan.id for a in audiences])
    for audience in audiences:
        audience.coordinators = by_plan.get(audience.plan.id, [])


def _unique(users: list[User]) -> list[User]:
    seen: dict[UUID, User] = {}
    for user in users:
        if deliverable(user):
            seen.setdefault(user.id, user)
    return list(seen.values())
