"""A plan as the plans page shows it: its strategies, each commitment and the tasks under it,
with their progress. One query for the commitments and one for the tasks."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from sqlmodel import Session, col, select

from app.models import Commitment, Organisation, Pillar, Plan, Task, TaskStatus
from app.tasks import query
from app.tasks.documents import ROWS, days
from app.tasks.schemas import TaskFilters, TaskPublic

# A plan page lists at most this many tasks; the rest are reached through My work's filters.
TASKS_SHOWN = 2000


@dataclass
class CommitmentRow:
    commitment: Commitment
    tasks: list[TaskPublic] = field(default_factory=list)
    lead_code: str = ""

    @property
    def completion(self) -> int:
        counted = [t.progress for t in self.tasks if t.status is not TaskStatus.cancelled]
        return round(sum(counted) / len(counted)) if counted else 0


@dataclass
class Strategy:
    pillar: Pillar | None  # None: plan-wide commitments
    rows: list[CommitmentRow]


def _tasks(
    session: Session, plan: Plan, user_id: UUID, today: date
) -> dict[UUID, list[TaskPublic]]:
    found = query.conditions(session, TaskFilters(plan=str(plan.id)), user_id=user_id, today=today)
    statement = ROWS.where(*found).order_by(col(Task.created_at)).limit(TASKS_SHOWN)
    by_commitment: dict[UUID, list[TaskPublic]] = defaultdict(list)
    for row in session.connection().execute(statement, days(today)).all():
        task = TaskPublic.model_validate_json(row.document)
        by_commitment[task.commitment.id].append(task)
    return by_commitment


def of(session: Session, plan: Plan, user_id: UUID, today: date) -> list[Strategy]:
    pillars = session.exec(
        select(Pillar).where(col(Pillar.plan_id) == plan.id).order_by(col(Pillar.position))
    ).all()
    commitments = session.exec(
        select(Commitment)
        .where(col(Commitment.plan_id) == plan.id)
        .order_by(col(Commitment.position), col(Commitment.code))
    ).all()
    tasks = _tasks(session, plan, user_id, today)
    leads = {c.lead_organisation_id for c in commitments if c.lead_organisation_id}
    codes: dict[UUID | None, str] = dict(
        session.exec(
            select(Organisation.id, Organisation.code).where(col(Organisation.id).in_(leads))
        ).all()
    )
    rows = [
        CommitmentRow(c, tasks.get(c.id, []), codes.get(c.lead_organisation_id, ""))
        for c in commitments
    ]
    strategies = [
        Strategy(pillar, [r for r in rows if r.commitment.pillar_id == pillar.id])
        for pillar in pillars
    ]
    loose = [r for r in rows if r.commitment.pillar_id is None]
    return strategies + ([Strategy(None, loose)] if loose else [])
