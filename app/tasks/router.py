from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response, status

from app import db
from app.auth import CoordinatorDep, CurrentUserDep, WriterDep
from app.db import SessionDep
from app.deps import ClockDep, DataETagDep, TodayDep
from app.http import (
    Page,
    PageDep,
    answer,
    json_response,
    resource_etag,
    set_next_link,
    tag_read,
)
from app.tasks import query, service
from app.tasks.dependencies import (
    TaskChangeDep,
    TaskId,
    TaskToDeleteDep,
    TaskTransitionDep,
    WritableTaskDep,
)
from app.tasks.schemas import (
    HistoryPublic,
    NoteCreate,
    TaskCreate,
    TaskFilters,
    TaskPublic,
)

router = APIRouter(prefix="/tasks", tags=["tasks"])

Responses = dict[int | str, dict[str, Any]]
FOUND: Responses = {404: {"description": "No task with this id (or not a UUID)"}}
WRITE: Responses = {
    **FOUND,
    403: {"description": "Your role, or a contributor on another organisation's task"},
    412: {"description": "If-Match (or `version`) is stale"},
}


FiltersDep = Annotated[TaskFilters, Query()]


def _answer(response: Response, task: TaskPublic, today: date, **location: str) -> TaskPublic:
    return answer(response, task, resource_etag(task.version, today), **location)


@router.get("", response_model=Page[TaskPublic])
async def list_tasks(
    request: Request,
    response: Response,
    session: SessionDep,
    user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
    filters: FiltersDep,
    today: TodayDep,
) -> Response:
    """Tasks in creation order; filters combine (plan, pillar, commitment, organisation, status,
    schedule, due dates, updated_after, assignee, q)."""
    filters = query.own(filters, user)
    items, cursor = await db.read(
        session, query.list_tasks, filters, page, user_id=user.id, today=today
    )
    set_next_link(request, response, cursor)
    documents = [orjson.Fragment(item) for item in items]
    return json_response({"items": documents, "next_cursor": cursor}, response)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={403: {"description": "Not a coordinator or admin"}},
)
def create_task(
    data: TaskCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
    today: TodayDep,
) -> TaskPublic:
    """Create a task for a commitment, with its owners (coordinator or admin)."""
    task = service.create(session, data, actor=user, now=clock.now(), today=today)
    location = str(request.url_for("get_task", task_id=str(task.id)))
    return _answer(response, task, today, location=location)


@router.get("/{task_id}", responses=FOUND)
def get_task(
    task_id: TaskId,
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    today: TodayDep,
) -> TaskPublic:
    """One task; its ETag changes with its version and with the day (`schedule` is by date)."""
    task = service.get(session, task_id)
    tag_read(request, response, resource_etag(task.version, today))
    return query.public(session, task, today)


@router.patch("/{task_id}", responses={**WRITE, 428: {"description": "Send If-Match"}})
def update_task(
    task_id: TaskId,
    change: TaskChangeDep,
    response: Response,
    session: SessionDep,
    user: WriterDep,
    clock: ClockDep,
    today: TodayDep,
) -> TaskPublic:
    """Change fields (If-Match or `version` required); contributors change only `progress`."""
    task, checked = change.target, change.data
    updated = service.apply_change(session, task, checked, actor=user, now=clock.now(), today=today)
    return _answer(response, updated, today)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**WRITE, 428: {"description": "Send If-Match"}},
)
def delete_task(
    task_id: TaskId,
    user: CoordinatorDep,
    task: TaskToDeleteDep,
    session: SessionDep,
    clock: ClockDep,
    today: TodayDep,
) -> None:
    """Delete a task (coordinator or admin, If-Match required); its history stays readable."""
    service.delete(session, task, actor=user, now=clock.now(), today=today)


@router.post("/{task_id}/transitions", responses={**WRITE, 409: {"description": "Not allowed"}})
def change_task_status(
    task_id: TaskId,
    change: TaskTransitionDep,
    response: Response,
    session: SessionDep,
    user: WriterDep,
    clock: ClockDep,
    today: TodayDep,
) -> TaskPublic:
    """Move a task through its workflow; blocked, cancelled and reopening need a note."""
    task, data = change.target, change.data
    moved = service.transition(
        session, task, data.status, data.note, actor=user, now=clock.now(), today=today
    )
    return _answer(response, moved, today)


@router.get("/{task_id}/history", responses=FOUND)
def list_task_history(
    task_id: TaskId,
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
) -> Page[HistoryPublic]:
    """Who changed what and when, oldest first; kept after the task is deleted."""
    items, cursor = query.history_page(session, task_id, page)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.post("/{task_id}/notes", status_code=status.HTTP_201_CREATED, responses=WRITE)
def add_task_note(
    task_id: TaskId,
    task: WritableTaskDep,
    data: NoteCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: WriterDep,
    clock: ClockDep,
    today: TodayDep,
) -> HistoryPublic:
    """Add a remark or a piece of evidence to the task's history."""
    note = service.add_note(session, task, data.text, actor=user, now=clock.now(), today=today)
    response.headers["Location"] = str(request.url_for("list_task_history", task_id=task_id))
    return note
