"""How progress follows status (decision 17): a task is completed exactly when its
progress is 100, and a done task's progress stands still until the task is reopened."""

from collections.abc import Sequence
from uuid import UUID

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import Conflict
from app.i18n import N_
from app.models import History
from app.models import TaskStatus as S
from app.tasks.query import ENTITY

COMPLETE = 100
# Where a reopened task starts when its history holds no progress before completion.
REOPENED_DEFAULT = 0
COMPLETED_STANDS = N_(
    "A completed task's progress is 100; reopen the task (to in_progress) to change it."
)
CANCELLED_STANDS = N_(
    "A cancelled task's progress stays as it was; reopen the task (to not_started) to change it."
)
COMPLETE_BY_TRANSITION = N_(
    "Progress 100 means done: move the task to completed with a transition (POST to the task's "
    "/transitions), which sets 100; an open task's progress is 0 to 99."
)


def check(status: S, progress: int) -> None:
    """Refuse a progress that would contradict the status (409): a completed or cancelled
    task keeps its figure until reopened, and only completing a task makes it 100."""
    if status is S.completed:
        raise Conflict(COMPLETED_STANDS)
    if status is S.cancelled:
        raise Conflict(CANCELLED_STANDS)
    if progress == COMPLETE:
        raise Conflict(COMPLETE_BY_TRANSITION)


def before_completion(session: Session, task_id: UUID) -> int:
    """The progress a task had when it was last completed, read from its history: reopening
    undoes the completion, so the work done stays counted and no more than that."""
    row = session.exec(_completions().where(col(History.entity_id) == task_id).limit(1)).first()
    return _figure(row)


def before_completion_many(session: Session, task_ids: Sequence[UUID]) -> dict[UUID, int]:
    """`before_completion` of many tasks in one read."""
    found: dict[UUID, int] = {}
    if not task_ids:
        return found
    for row in session.exec(_completions().where(col(History.entity_id).in_(task_ids))):
        found.setdefault(row.entity_id, _figure(row))  # the newest first
    return {task_id: found.get(task_id, REOPENED_DEFAULT) for task_id in task_ids}


def _completions() -> SelectOfScalar[History]:
    return (
        select(History)
        .where(
            col(History.entity) == ENTITY,
            col(History.action) == "transition",
            col(History.field) == "progress",
        )
        .order_by(col(History.id).desc())
    )


def _figure(row: History | None) -> int:
    if row is None or row.new != COMPLETE or not isinstance(row.old, int):
        return REOPENED_DEFAULT
    return row.old if 0 <= row.old < COMPLETE else REOPENED_DEFAULT
