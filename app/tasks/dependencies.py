"""The task a route's path names, once the caller may write to it, and the change it asks for.

Unlike the catalogue's (app.resources), these look the task up before they read the body: an
unknown task is 404 and another organisation's 403 whatever the body says; then the body (422),
then the precondition (428, 412), in the order the API has always answered."""

from typing import Annotated

from fastapi import Depends, Path, Request

from app.auth import CoordinatorDep, WriterDep
from app.db import SessionDep
from app.http import check_if_match, require_if_match
from app.models import Task
from app.resources import Change
from app.tasks import service
from app.tasks.schemas import TaskTransition, TaskUpdate

TaskId = Annotated[str, Path(description="The task's id, a UUID; anything else is 404.")]


def task_for_write(task_id: TaskId, session: SessionDep, user: WriterDep) -> Task:
    """The task of the URL, locked for this transaction, if the caller may write to it."""
    task = service.get(session, task_id, for_update=True)
    service.ensure_writer(session, task, user)
    return task


WritableTaskDep = Annotated[Task, Depends(task_for_write)]


def task_change(
    task: WritableTaskDep,
    data: TaskUpdate,
    request: Request,
    session: SessionDep,
    user: WriterDep,
) -> Change[Task, service.CheckedChange]:
    """A PATCH: fields the caller may change, checked (the route applies them as checked
    here), If-Match (or `version`) required."""
    service.ensure_patchable(data, user, task.id)
    checked = service.check_change(session, task, data)
    require_if_match(request, task.version, body_version=data.version)
    return Change(task, checked)


def task_transition(
    task: WritableTaskDep, data: TaskTransition, request: Request
) -> Change[Task, TaskTransition]:
    """A move through the workflow; If-Match (or `version`) checked when sent."""
    check_if_match(request, task.version, body_version=data.version)
    return Change(task, data)


def task_to_delete(_coordinator: CoordinatorDep, task: WritableTaskDep, request: Request) -> Task:
    """A coordinator's or admin's, If-Match required."""
    require_if_match(request, task.version)
    return task


TaskChangeDep = Annotated[Change[Task, service.CheckedChange], Depends(task_change)]
TaskTransitionDep = Annotated[Change[Task, TaskTransition], Depends(task_transition)]
TaskToDeleteDep = Annotated[Task, Depends(task_to_delete)]
