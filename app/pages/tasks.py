"""The task page and its forms. Every write goes through app.tasks.service, as the JSON
routes' do, under the same row lock and version check: a form based on an older version is
never applied, but shown with what changed since (a 409 page), for the person to apply again."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.clock import Clock
from app.db import SessionDep
from app.deps import ClockDep, TodayDep
from app.errors import AppError, Invalid
from app.i18n import translate, validation_message
from app.models import Task, User
from app.pages.security import PageUserDep, mark_page
from app.tasks import context, service
from app.tasks.dependencies import TaskId, task_for_write
from app.tasks.schemas import NoteCreate, TaskTransition, TaskUpdate
from app.templating import PAGE_HEADERS, language_of, render

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
        return "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {validation_message(e['type'], e['msg'], language)}"
            for e in error.errors()
        )
    if isinstance(error, Invalid):
        return error.words(language)
    return translate(error.detail or error.title, language, **error.params)


@dataclass(frozen=True, slots=True)
class FormContext:
    """What every form of the task page writes with: the person, the request, the clock."""

    request: Request
    session: Session
    user: User
    clock: Clock
    today: date

    def update(self, fields: Callable[[], dict[str, Any]]) -> Change:
        """A change of fields, as a PATCH would make it (`fields` is read under the lock)."""

        def apply(task: Task) -> None:
            data = TaskUpdate.model_validate(fields())
            service.ensure_patchable(data, self.user, task.id)
            service.update(
                self.session, task, data, actor=self.user, now=self.clock.now(), today=self.today
            )

        return apply


def form_context(
    request: Request, session: SessionDep, user: PageUserDep, clock: ClockDep, today: TodayDep
) -> FormContext:
    return FormContext(request, session, user, clock, today)


FormContextDep = Annotated[FormContext, Depends(form_context)]


def _write(w: FormContext, task_id: str, change: Change, form: dict[str, Any]) -> Response:
    """Lock the task, refuse another organisation's (403 page), show a stale form's conflict,
    apply the change through the service, and go back to the page."""
    request, session, user, today = w.request, w.session, w.user, w.today
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
    w: FormContextDep,
    status: Short,
    version: Version,
    seen: Seen = 0,
    note: Text = "",
) -> Response:
    def move(task: Task) -> None:
        data = TaskTransition.model_validate({"status": status, "note": note.strip() or None})
        service.transition(
            w.session, task, data.status, data.note, actor=w.user, now=w.clock.now(), today=w.today
        )

    form = _form("status", {"status": status, "note": note}, version, seen)
    return _write(w, task_id, move, form)


@router.post("/tasks/{task_id}/progress")
def set_progress(
    task_id: TaskId, w: FormContextDep, progress: Short, version: Version, seen: Seen = 0
) -> Response:
    value: object = int(progress) if progress.strip().isdigit() else progress
    form = _form("progress", {"progress": progress}, version, seen)
    return _write(w, task_id, w.update(lambda: {"progress": value}), form)


@router.post("/tasks/{task_id}/notes")
def add_note(task_id: TaskId, w: FormContextDep, note: Text) -> Response:
    """A note changes no field, so it has no version to be stale against."""

    def write(task: Task) -> None:
        data = NoteCreate.model_validate({"text": note})
        service.add_note(w.session, task, data.text, actor=w.user, now=w.clock.now(), today=w.today)

    return _write(w, task_id, write, {"kind": "note", "note": note})


@router.post("/tasks/{task_id}/dates")
def change_dates(
    task_id: TaskId,
    w: FormContextDep,
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
    form = {"start_date": start_date, "due_date": due_date, "reason": reason}
    return _write(w, task_id, w.update(lambda: fields), _form("dates", form, version, seen))


@router.post("/tasks/{task_id}/people")
def change_people(
    task_id: TaskId,
    w: FormContextDep,
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

    def fields() -> dict[str, Any]:
        email = assignee.strip()
        assignee_id = context.user_id_by_email(w.session, assignee) if email else None
        return {"owners": owners, "assignee_id": assignee_id}

    form = {"lead": lead, "support": support, "assignee": assignee}
    return _write(w, task_id, w.update(fields), _form("people", form, version, seen))


def _form(kind: str, fields: dict[str, Any], version: int, seen: int) -> dict[str, Any]:
    """What a form sent, to show again with its problem or its conflict."""
    return {"kind": kind, **fields, "version": version, "seen": seen}
