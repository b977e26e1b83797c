"""The pages around the work: My work, the language switch and the dashboard reached with the
session. Each calls the services the JSON routers call; the templates only present."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session
from starlette.responses import FileResponse, RedirectResponse, Response

from app import db
from app.dashboard.router import PAGE_HEADERS as DASHBOARD_HEADERS
from app.dashboard.router import STATIC as DASHBOARD_STATIC
from app.db import SessionDep
from app.deps import SettingsDep, TodayDep
from app.http import PageParams
from app.i18n import SUPPORTED
from app.models import TaskStatus
from app.pages.security import PageUserDep, local_path, mark_page
from app.plans import pillars
from app.plans import service as plans
from app.reports import work
from app.tasks import query
from app.tasks.schemas import TaskFilters
from app.templating import LANGUAGE_COOKIE, PAGE_HEADERS, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

Code = Annotated[str, Query(max_length=120)]
ONE_YEAR = 365 * 24 * 3600


@router.get("/language")
def switch_language(
    lang: Annotated[str, Query(max_length=8)], next: Annotated[str, Query(max_length=2000)] = "/"
) -> Response:
    """The language switch: a link, so it works without script; remembered in a cookie."""
    response = RedirectResponse(local_path(next), status_code=303, headers=PAGE_HEADERS)
    if lang in SUPPORTED:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", path="/")
    return response


def _filters(plan: str, pillar: str, status: str) -> TaskFilters:
    chosen = [TaskStatus(status)] if status in TaskStatus.__members__ else []
    return TaskFilters(plan=plan or None, pillar=pillar or None, status=chosen)


@router.get("/")
async def my_work(
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    today: TodayDep,
    settings: SettingsDep,
    plan: Code = "",
    pillar: Code = "",
    status: Code = "",
) -> Response:
    """Tasks assigned to me and those my organisation owns, overdue first, then due soon."""
    filters = _filters(plan, pillar, status)
    tasks = await db.read(session, query.my_work, user, filters, today=today)
    context = {
        "tasks": tasks,
        **await db.read(session, _choices, plan),
        "chosen": {"plan": plan, "pillar": pillar, "status": status},
        "statuses": list(TaskStatus),
        "limit": query.MY_WORK_LIMIT,
        "reports": await db.read(session, work.for_person, user, settings, today),
    }
    return render(request, "my_work.html", context)


def _choices(session: Session, plan_ref: str) -> dict[str, Any]:
    """The plans, and the chosen plan's strategies, for the filters."""
    every = PageParams(limit=200, cursor=None)
    plan_rows, _cursor = plans.list_plans(session, every, scope=None)
    chosen = plans.find(session, plan_ref) if plan_ref else None
    strategies = pillars.list_pillars(session, chosen, every)[0] if chosen else []
    return {"plans": plan_rows, "pillars": strategies}


@router.get("/dashboard")
def dashboard() -> FileResponse:
    """The dashboard page. It holds no data: its script reads the API, with the session's
    cookie when the person is signed in, else with a pasted token (or none, when public)."""
    return FileResponse(
        DASHBOARD_STATIC / "index.html",
        media_type="text/html; charset=utf-8",
        headers=DASHBOARD_HEADERS,
    )
