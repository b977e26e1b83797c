"""What a person needs around one task to act on it (the task page): where it sits in its
plan, who may do what, and its history. Reads only; the rules are the service's."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlmodel import Session, col, select

from app.errors import Forbidden, invalid
from app.http import PageParams
from app.i18n import N_
from app.models import (
    Commitment,
    CommitmentOrganisation,
    Organisation,
    Pillar,
    Plan,
    Role,
    Task,
    TaskStatus,
    User,
)
from app.tasks import query, service, transitions
from app.tasks.schemas import HistoryPublic, TaskPublic

HISTORY_SHOWN = 200


@dataclass(frozen=True)
class Placement:
    plan: Plan
    pillar: Pillar | None
    commitment: Commitment
    lead: Organisation | None
    related: list[Organisation]


@dataclass(frozen=True)
class TaskContext:
    task: TaskPublic
    placement: Placement
    assignee: User | None
    history: list[HistoryPublic]
    next_statuses: list[TaskStatus]
    noted_statuses: list[TaskStatus]  # those of next_statuses whose move needs a note
    may_write: bool
    may_coordinate: bool


def placement(session: Session, commitment_id: UUID) -> Placement:
    commitment = session.get(Commitment, commitment_id)
    assert commitment is not None  # a task's commitment is a foreign key
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    pillar = session.get(Pillar, commitment.pillar_id) if commitment.pillar_id else None
    lead = (
        session.get(Organisation, commitment.lead_organisation_id)
        if commitment.lead_organisation_id
        else None
    )
    related = session.exec(
        select(Organisation)
        .join(CommitmentOrganisation)
        .where(col(CommitmentOrganisation.commitment_id) == commitment.id)
        .order_by(col(Organisation.code))
    ).all()
    return Placement(plan, pillar, commitment, lead, list(related))


def may_write(session: Session, task: Task, user: User) -> bool:
    if user.role not in (Role.admin, Role.coordinator, Role.contributor):
        return False
    try:
        service.ensure_writer(session, task, user)
    except Forbidden:
        return False
    return True


def next_statuses(task: Task, user: User) -> list[TaskStatus]:
    """The moves the workflow allows from here, less reopening for those who may not."""
    allowed = transitions.ALLOWED[task.status]
    may_reopen = user.role in service.REOPENERS
    return sorted(
        (s for s in allowed if may_reopen or not transitions.is_reopen(task.status, s)),
        key=list(TaskStatus).index,
    )


def of(session: Session, ref: str, user: User, today: date) -> TaskContext:
    task = service.get(session, ref)
    history, _cursor = query.history_page(
        session, ref, PageParams(limit=HISTORY_SHOWN, cursor=None)
    )
    writer = may_write(session, task, user)
    moves = next_statuses(task, user) if writer else []
    return TaskContext(
        task=query.public(session, task, today),
        placement=placement(session, task.commitment_id),
        assignee=session.get(User, task.assignee_id) if task.assignee_id else None,
        history=history,
        next_statuses=moves,
        noted_statuses=[s for s in moves if transitions.needs_note(task.status, s)],
        may_write=writer,
        may_coordinate=writer and user.role in service.REOPENERS,
    )


def changes_since(session: Session, ref: str, seen: int) -> list[HistoryPublic]:
    """What the history records after entry `seen`: what changed since a form was shown."""
    history, _cursor = query.history_page(
        session, ref, PageParams(limit=HISTORY_SHOWN, cursor=None)
    )
    return [entry for entry in history if entry.id > seen]


def user_id_by_email(session: Session, email: str) -> UUID:
    """The person an assignee field names by e-mail (422 for nobody known)."""
    found = session.exec(select(User.id).where(col(User.email) == email.strip().lower())).first()
    if found is None:
        raise invalid("assignee", N_("Nobody has the e-mail address {email}."), email=email.strip())
    return found
