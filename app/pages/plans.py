"""The plans pages: each plan's strategies and commitments with their tasks and progress, and
a coordinator's form for a new task under a commitment (app.tasks.service.create, as POST
/tasks)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app import db
from app.db import SessionDep
from app.deps import ClockDep, TodayDep
from app.errors import AppError
from app.http import PageParams
from app.models import Role, User
from app.pages.security import PageUserDep, mark_page
from app.pages.tasks import problem_text
from app.plans import service as plans
from app.reports import work
from app.tasks import overview, service
from app.tasks.schemas import TaskCreate
from app.templating import PAGE_HEADERS, language_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Short = Annotated[str, Form(max_length=500)]
Text = Annotated[str, Form(max_length=50_000)]


@router.get("/plans")
async def plans_page(request: Request, session: SessionDep, _user: PageUserDep) -> Response:
    every = PageParams(limit=200, cursor=None)
    rows, _cursor = await db.read(session, plans.list_plans, every, scope=None)
    return render(request, "plans.html", {"plans": rows})


def _plan_page(
    request: Request, session: Session, ref: str, user: User, today: date, **extra: Any
) -> Response:
    plan = plans.resolve(session, ref)
    may_create = user.role is Role.admin or (
        user.role is Role.coordinator and plans.coordinates(session, plan.id, user.id)
    )
    strategies = overview.of(session, plan, user.id, today)
    shown = [row.commitment for strategy in strategies for row in strategy.rows]
    settings = request.app.state.settings
    slots = work.for_plan(session, plan, shown, settings, today)
    context = {
        "plan": plan,
        "strategies": strategies,
        "may_create": may_create,
        "slots": slots,
        **extra,
    }
    status = 422 if "problem" in extra else 200
    return render(request, "plan.html", context, status=status)


@router.get("/plans/{ref}")
def plan_page(
    ref: str, request: Request, session: SessionDep, user: PageUserDep, today: TodayDep
) -> Response:
    return _plan_page(request, session, ref, user, today)


@router.post("/plans/{ref}/tasks")
def create_task(
    ref: str,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    clock: ClockDep,
    today: TodayDep,
    commitment: Short,
    title: Text,
    lead: Short,
    due_date: Short = "",
) -> Response:
    """A new task under a commitment of the plan; the service decides who may."""
    fields = {
        "commitment": commitment,
        "title": title,
        "due_date": due_date or None,
        "owners": [{"organisation": lead, "role": "lead"}],
    }
    try:
        created = service.create(
            session, TaskCreate.model_validate(fields), actor=user, now=clock.now(), today=today
        )
    except (AppError, ValidationError) as error:
        if isinstance(error, AppError) and error.status in (403, 404):
            raise
        session.rollback()
        problem = problem_text(error, language_of(request))
        return _plan_page(request, session, ref, user, today, problem=problem, form=fields)
    return RedirectResponse(f"/tasks/{created.id}?saved=1", status_code=303, headers=PAGE_HEADERS)
