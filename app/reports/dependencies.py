"""The report a route's path names, the caller's right to act on it, and the If-Match that
guards the write (app.resources says in what order): the routes only answer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request

from app.auth import CurrentUserDep, WriterDep
from app.db import SessionDep
from app.http import check_if_match, require_if_match
from app.models import Report, User
from app.reports import rules, service
from app.reports.schemas import Action, ReportReview, ReportUpdate

Data = TypeVar("Data")


@dataclass(frozen=True, slots=True)
class ReportWrite(Generic[Data]):
    """A write to a report the actor may make, with the body that says what it is."""

    target: Report
    data: Data
    actor: User


def report_of(report_id: str, session: SessionDep, _caller: CurrentUserDep) -> Report:
    return service.resolve(session, report_id)


def _filed(session: SessionDep, report_id: str, user: User) -> Report:
    """The report, once the caller may file reports on its commitment (403 before 412)."""
    report = service.resolve(session, report_id)
    service.ensure_filer(session, user, report)
    return report


def report_change(
    report_id: str, data: ReportUpdate, request: Request, session: SessionDep, user: WriterDep
) -> ReportWrite[ReportUpdate]:
    report = _filed(session, report_id, user)
    require_if_match(request, report.version, body_version=data.version)
    return ReportWrite(report, data, user)


def report_filer(report_id: str, session: SessionDep, user: WriterDep) -> ReportWrite[None]:
    """A write of the report's filers that no version guards (adding an evidence file)."""
    return ReportWrite(_filed(session, report_id, user), None, user)


def report_step(action: Action) -> Callable[..., ReportWrite[ReportReview]]:
    """Submit (its filers), accept or return (the plan's coordinators). The body is optional
    (a comment, a version); If-Match, when sent, must be current."""

    def step(
        report_id: str,
        request: Request,
        session: SessionDep,
        user: WriterDep,
        data: ReportReview | None = None,
    ) -> ReportWrite[ReportReview]:
        if rules.STEPS[action].by_reviewer:
            report = service.resolve(session, report_id)
            rules.ensure_can_review(session, user, report)
        else:
            report = _filed(session, report_id, user)
        body = data or ReportReview()
        check_if_match(request, report.version, body_version=body.version)
        return ReportWrite(report, body, user)

    return step


ReportDep = Annotated[Report, Depends(report_of)]
ReportChangeDep = Annotated[ReportWrite[ReportUpdate], Depends(report_change)]
ReportFilerDep = Annotated[ReportWrite[None], Depends(report_filer)]
SubmitDep = Annotated[ReportWrite[ReportReview], Depends(report_step("submit"))]
AcceptDep = Annotated[ReportWrite[ReportReview], Depends(report_step("accept"))]
ReturnDep = Annotated[ReportWrite[ReportReview], Depends(report_step("return"))]
