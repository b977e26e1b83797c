"""The task page and its forms. Every write goes through app.tasks.service, as the JSON
routes' do, under the same row lock and version check: a form based on an older version is
never applied, but shown with what changed since (a 409 page), for the person to apply again."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.db import SessionDep
from app.deps import ClockDep, TodayDep
from app.errors import AppError, Invalid
from app.i18n import translate
from app.models import Task, User
from app.pages.security import PageUserDep, mark_page
from app.pages.templating import PAGE_HEADERS, language_of, render
from app.tasks import context, service
from app.tasks.dependencies import TaskId, task_for_write
from app.tasks.schemas import NoteCreate, TaskTransition, TaskUpdate

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

Version = Annotated[int, Form(ge=0, le=2**31)]
Seen = Annotated[int, Form(ge=0, le=2**62)]
Text = Annotated[str, Form(max_length=50_000)]
Short = Annotated[str, Form(max_length=500)]
Change = Callable[[Task], object]


@router.get("/tasks/{task_id}")
def task_page(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    today: TodayDep,
    saved: Annotated[bool, Query(description="Set after a form was applied.")] = False,
) -> Response:
    return _page(request, session, task_id, user, today, saved=saved)


def _page(
    request: Request,
    session: Session,
    task_id: str,
    user: User,
    today: date,
    status: int = 200,
    saved: bool = False,
    **extra: Any,
) -> Response:
    found = context.of(session, task_id, user, today)
    return render(request, "task.html", {"c": found, "saved": saved, **extra}, status=status)


def problem_text(error: AppError | ValidationError, language: str) -> str:
    """What went wrong, in the page's language, as the API's problem detail says it."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    if isinstance(error, Invalid):
        return error.words(language)
    return translate(error.detail or error.title, language, **error.params)


def _write(
    request: Request,
    session: Session,
    user: User,
    task_id: str,
    today: date,
    change: Change,
    form: dict[str, Any],
) -> Response:
    """Lock the task, refuse another organisation's (403 page), show a stale form's conflict,
    apply the change through the service, and go back to the page."""
    task = task_for_write(task_id, session, user)
    version = form.get("version")
    if version is not None and version != task.version:
        changes = context.changes_since(session, task_id, form.get("seen", 0))
        conflict = {"form": form, "old": version, "changes": changes}
        return _page(request, session, task_id, user, today, 409, conflict=conflict)
    try:
        change(task)
    except (AppError, ValidationError) as error:
        session.rollback()
        problem = problem_text(error, language_of(request))
        code = error.status if isinstance(error, AppError) else 422
        return _page(request, session, task_id, user, today, code, problem=problem, form=form)
    return RedirectResponse(f"/tasks/{task.id}?saved=1", status_code=303, headers=PAGE_HEADERS)


@router.post("/tasks/{task_id}/status")
def change_status(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    status: Short,
    version: Version,
    seen: Seen = 0,
    note: Text = "",
) -> Response:
    def move(task: Task) -> None:
        data = TaskTransition.model_validate({"status": status, "note": note.strip() or None})
        service.transition(
            session, task, data.status, data.note, actor=user, now=clock.now(), today=today
        )

    form = {"kind": "status", "status": status, "note": note, "version": version, "seen": seen}
    return _write(request, session, user, task_id, today, move, form)


def _update(
    session: Session, user: User, clock: ClockDep, today: date, fields: dict[str, Any]
) -> Change:
    def apply(task: Task) -> None:
        data = TaskUpdate.model_validate(fields)
        service.ensure_patchable(data, user, task.id)
        service.update(session, task, data, actor=user, now=clock.now(), today=today)

    return apply


@router.post("/tasks/{task_id}/progress")
def set_progress(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    progress: Short,
    version: Version,
    seen: Seen = 0,
) -> Response:
    value: object = int(progress) if progress.strip().isdigit() else progress
    change = _update(session, user, clock, today, {"progress": value})
    form = {"kind": "progress", "progress": progress, "version": version, "seen": seen}
    return _write(request, session, user, task_id, today, change, form)


@router.post("/tasks/{task_id}/notes")
def add_note(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    note: Text,
) -> Response:
    """A note changes no field, so it has no version to be stale against."""

    def write(task: Task) -> None:
        data = NoteCreate.model_validate({"text": note})
        service.add_note(session, task, data.text, actor=user, now=clock.now(), today=today)

    return _write(request, session, user, task_id, today, write, {"kind": "note", "note": note})


@router.post("/tasks/{task_id}/dates")
def change_dates(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    version: Version,
    reason: Text,
    seen: Seen = 0,
    start_date: Short = "",
    due_date: Short = "",
) -> Response:
    """A coordinator's: the reason goes on the record with the change (the PATCH's note)."""
    fields = {
        "start_date": start_date or None,
        "due_date": due_date or None,
        "due_date_reason": reason.strip() or None,  # needed when the due date moves
        "note": reason.strip() or None,
    }
    form = {
        "kind": "dates",
        "start_date": start_date,
        "due_date": due_date,
        "reason": reason,
        "version": version,
        "seen": seen,
    }
    change = _update(session, user, clock, today, fields)
    return _write(request, session, user, task_id, today, change, form)


@router.post("/tasks/{task_id}/people")
def change_people(
    task_id: TaskId,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    version: Version,
    lead: Short,
    seen: Seen = 0,
    support: Short = "",
    assignee: Short = "",
) -> Response:
    """Owners (a lead and supporters, by organisation code) and the assignee (by e-mail)."""
    owners = [{"organisation": lead.strip(), "role": "lead"}] + [
        {"organisation": code.strip(), "role": "support"}
        for code in support.split(",")
        if code.strip()
    ]

    def apply(task: Task) -> None:
        assignee_id = context.user_id_by_email(session, assignee) if assignee.strip() else None
        fields = {"owners": owners, "assignee_id": assignee_id}
        _update(session, user, clock, today, fields)(task)

    form = {
        "kind": "people",
        "lead": lead,
        "support": support,
        "assignee": assignee,
        "version": version,
        "seen": seen,
    }
    return _write(request, session, user, task_id, today, apply, form)
