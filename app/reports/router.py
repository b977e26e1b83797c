from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from app.auth import CurrentUserDep, WriterDep
from app.clock import Clock
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.http import Page, answer, resource_etag, tag_read
from app.models import Report, ReportState
from app.plans import service as plans
from app.reports import service
from app.reports.dependencies import (
    AcceptDep,
    ReportChangeDep,
    ReportDep,
    ReportWrite,
    ReturnDep,
    SubmitDep,
)
from app.reports.schemas import Action, PeriodPublic, ReportCreate, ReportPublic, ReportReview
from app.resources import ListingDep

router = APIRouter(prefix="/reports", tags=["reports"])
periods_router = APIRouter(prefix="/plans", tags=["reports"])

RefQuery = Annotated[str | None, Query(max_length=120, description="Id or code.")]


@periods_router.get("/{ref}/periods")
def list_periods(
    ref: str,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    _caller: CurrentUserDep,
) -> Page[PeriodPublic]:
    """The plan's reporting periods (semesters unless the plan says otherwise), each with the
    day its reports are due; derived from the plan's dates, so one page holds them all."""
    plan = plans.resolve(session, ref)
    today = service.today_in(plan, clock.now())
    found = service.plan_periods(plan, settings)
    tag_read(request, response, resource_etag(plan.version, today))
    items = [PeriodPublic(**vars_of(p), started=p.started(today)) for p in found]
    return Page(items=items)


def vars_of(period: object) -> dict[str, object]:
    return {name: getattr(period, name) for name in ("id", "start", "end", "due")}


@router.get("")
def list_reports(
    listing: ListingDep,
    session: SessionDep,
    plan: RefQuery = None,
    commitment: RefQuery = None,
    period: Annotated[str | None, Query(max_length=12, examples=["2026-S2"])] = None,
    state: ReportState | None = None,
) -> Page[ReportPublic]:
    """Reports, oldest first; filter by plan, commitment, period and state."""
    items, cursor = service.list_reports(
        session, listing.page, plan=plan, period=period, commitment=commitment, state=state
    )
    return listing.answer(items, cursor)


@router.get("/{report_id}")
def get_report(
    report_id: str, report: ReportDep, request: Request, response: Response, session: SessionDep
) -> ReportPublic:
    """One report."""
    tag_read(request, response, resource_etag(report.version))
    return service.public(session, report)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_report(
    data: ReportCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: WriterDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> ReportPublic:
    """File a draft report on a commitment for a period that has started: the lead
    organisation's contributors or the plan's coordinators; a second one for the same
    commitment and period is 409."""
    report = service.create(session, data, actor=user, settings=settings, now=clock.now())
    location = request.url_for("get_report", report_id=str(report.id))
    body = service.public(session, report)
    return answer(response, body, resource_etag(report.version), location=location)


@router.patch("/{report_id}")
def update_report(
    report_id: str,
    change: ReportChangeDep,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
) -> ReportPublic:
    """Change a draft or returned report; If-Match (or `version`) is required."""
    report = service.update(
        session, change.target, change.data, actor=change.actor, now=clock.now()
    )
    return _answer(response, session, report)


def _answer(response: Response, session: Session, report: Report) -> ReportPublic:
    return answer(response, service.public(session, report), resource_etag(report.version))


def _step(
    action: Action,
    step: ReportWrite[ReportReview],
    response: Response,
    session: Session,
    clock: Clock,
) -> ReportPublic:
    report = service.step(
        session, step.target, action, step.data, actor=step.actor, now=clock.now()
    )
    return _answer(response, session, report)


@router.post("/{report_id}/submit")
def submit_report(
    report_id: str, step: SubmitDep, response: Response, session: SessionDep, clock: ClockDep
) -> ReportPublic:
    """Submit a draft or returned report for verification: read-only for its authors after."""
    return _step("submit", step, response, session, clock)


@router.post("/{report_id}/accept")
def accept_report(
    report_id: str, step: AcceptDep, response: Response, session: SessionDep, clock: ClockDep
) -> ReportPublic:
    """Verify a submitted report (the plan's coordinators)."""
    return _step("accept", step, response, session, clock)


@router.post("/{report_id}/return")
def return_report(
    report_id: str, step: ReturnDep, response: Response, session: SessionDep, clock: ClockDep
) -> ReportPublic:
    """Return a submitted report to its authors with a comment (the plan's coordinators)."""
    return _step("return", step, response, session, clock)
