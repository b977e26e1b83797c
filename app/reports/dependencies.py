"""The report a route's path names, and the If-Match that guards a write to it."""

from typing import Annotated

from fastapi import Depends, Request

from app.auth import CurrentUserDep, WriterDep
from app.db import SessionDep
from app.http import check_if_match, require_if_match
from app.models import Report
from app.reports import service
from app.reports.schemas import ReportReview, ReportUpdate
from app.resources import Change


def report_of(report_id: str, session: SessionDep, _caller: CurrentUserDep) -> Report:
    return service.resolve(session, report_id)


def report_change(
    report_id: str, data: ReportUpdate, request: Request, session: SessionDep, _user: WriterDep
) -> Change[Report, ReportUpdate]:
    report = service.resolve(session, report_id)
    require_if_match(request, report.version, body_version=data.version)
    return Change(report, data)


def report_step(
    report_id: str,
    request: Request,
    session: SessionDep,
    _user: WriterDep,
    data: ReportReview | None = None,
) -> Change[Report, ReportReview]:
    """A step's body is optional (a comment, a version); If-Match, when sent, must be current."""
    report = service.resolve(session, report_id)
    body = data or ReportReview()
    check_if_match(request, report.version, body_version=body.version)
    return Change(report, body)


ReportDep = Annotated[Report, Depends(report_of)]
ReportChangeDep = Annotated[Change[Report, ReportUpdate], Depends(report_change)]
ReportStepDep = Annotated[Change[Report, ReportReview], Depends(report_step)]
