"""The references of a task body (commitment, owners, assignee) resolved or refused with a 422
that names the field: a bad reference is a bad payload, not a missing URL."""

from collections.abc import Callable
from datetime import date
from functools import partial
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import invalid
from app.i18n import N_
from app.models import Commitment, Organisation, OwnerRole, Task, TaskOwner, User
from app.organisations import service as organisations
from app.tasks.schemas import OwnerIn

ResolvedOwners = list[tuple[Organisation, OwnerRole]]
NO_COMMITMENT = N_("No commitment with this id or code.")


def commitment(session: Session, ref: str) -> Commitment:
    try:
        found = session.get(Commitment, UUID(ref))
    except ValueError:
        found = session.exec(
            select(Commitment).where(func.upper(Commitment.code) == ref.upper())
        ).first()
    if found is None:
        raise invalid("commitment", NO_COMMITMENT)
    return found


def resolve_owners(session: Session, owners: list[OwnerIn]) -> ResolvedOwners:
    return resolve_owners_with(partial(organisations.find, session), owners)


def resolve_owners_with(
    find: Callable[[str], Organisation | None], owners: list[OwnerIn]
) -> ResolvedOwners:
    """`resolve_owners` with organisations found by `find` (an import's, read beforehand)."""
    resolved: ResolvedOwners = []
    for index, owner in enumerate(owners):
        field = f"owners.{index}.organisation"
        organisation = find(owner.organisation)
        if organisation is None:
            raise invalid(field, N_("No organisation with this id, code or alias."))
        if any(organisation.id == known.id for known, _ in resolved):
            raise invalid(field, N_("This organisation is listed as an owner already."))
        resolved.append((organisation, owner.role))
    if sum(role is OwnerRole.lead for _, role in resolved) > 1:
        raise invalid("owners", N_("A task has at most one lead owner."))
    return resolved


def check_assignee(session: Session, assignee_id: UUID | None) -> None:
    if assignee_id is not None and session.get(User, assignee_id) is None:
        raise invalid("assignee_id", N_("No user with this id."))


def check_dates(start: date | None, due: date | None) -> None:
    if start is not None and due is not None and start > due:
        raise invalid(
            "start_date",
            N_("The start date ({start}) is after the due date ({due})."),
            start=start,
            due=due,
        )


def owner_record(owners: ResolvedOwners) -> list[dict[str, str]]:
    """Owners as history keeps them: codes stay readable after a rename of the names."""
    return sorted(
        ({"organisation": org.code, "role": role.value} for org, role in owners),
        key=lambda item: (item["role"], item["organisation"]),
    )


def set_owners(session: Session, task: Task, owners: ResolvedOwners) -> None:
    # Through the ORM, not a bulk DELETE: the summary's rollup follows owners in the flush.
    current = {
        owner.organisation_id: owner
        for owner in session.exec(select(TaskOwner).where(col(TaskOwner.task_id) == task.id))
    }
    for organisation, role in owners:
        owner = current.pop(organisation.id, None)
        if owner is None:
            owner = TaskOwner(task_id=task.id, organisation_id=organisation.id, role=role)
        owner.role = role
        session.add(owner)
    for gone in current.values():
        session.delete(gone)


def current_owners(session: Session, task: Task) -> ResolvedOwners:
    rows = session.exec(
        select(Organisation, TaskOwner.role)
        .join(TaskOwner, col(TaskOwner.organisation_id) == col(Organisation.id))
        .where(col(TaskOwner.task_id) == task.id)
    ).all()
    return [(organisation, OwnerRole(role)) for organisation, role in rows]
