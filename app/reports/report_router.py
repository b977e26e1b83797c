"""GET /plans/{ref}/report: the period report as printable HTML, Markdown or JSON."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.responses import PlainTextResponse

from app.auth import CurrentUserDep
from app.db import SessionDep
from app.deps import SettingsDep, TodayDep
from app.http import request_etag
from app.http.preconditions import check_not_modified
from app.plans import service as plans
from app.reports import document, markdown, service
from app.reports.document_schemas import PeriodReport
from app.reports.words import words
from app.templating import language_of, render

router = APIRouter(prefix="/plans", tags=["reports"])

PeriodQuery = Annotated[
    str, Query(pattern=r"^\d{4}(-[QSqs]\d)?$", examples=["2026-S2"], description="Period id.")
]
MEDIA: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
        "description": "HTML unless Accept asks for text/markdown or application/json.",
    }
}


def _format(request: Request, suffix: str) -> str:
    accept = request.headers.get("accept", "")
    if suffix == ".md" or "text/markdown" in accept:
        return "markdown"
    return "json" if "application/json" in accept and "text/html" not in accept else "html"


def _answer(request: Request, report: PeriodReport, kind: str, etag: str) -> Response:
    headers = {"ETag": etag, "Vary": "Accept, Accept-Language, Cookie"}
    if kind == "markdown":
        body = markdown.render(report, api=request.app.state.settings.api_prefix)
        return PlainTextResponse(body, media_type="text/markdown; charset=utf-8", headers=headers)
    if kind == "json":
        return Response(report.model_dump_json(), media_type="application/json", headers=headers)
    context = {
        "r": report,
        "slipped": markdown.SLIPPED,
        "moved": markdown.MOVED,
        **words(report.language),
    }
    context.pop("_")  # the template's `_` is the pages' own, for the same language
    page = render(request, "period_report.html", context)
    page.headers.update(headers)
    return page


def _period_report(
    request: Request,
    ref: str,
    period: str,
    suffix: str,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
) -> Response:
    plan = plans.resolve(session, ref)
    found = service.period_of(plan, settings, period)
    kind, language = _format(request, suffix), language_of(request)
    etag = request_etag(request, request.state.data_version, today.isoformat(), kind, language)
    check_not_modified(request, etag)
    report = document.compile_report(
        session, plan, found, today=today, language=language, settings=settings
    )
    return _answer(request, report, kind, etag)


@router.get("/{ref}/report", response_model=PeriodReport, responses=MEDIA)
def get_period_report(
    ref: str,
    period: PeriodQuery,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    _caller: CurrentUserDep,
) -> Response:
    """The period report of a plan: totals by strategy and status (the numbers of /summary),
    work completed in the period, overdue work by organisation, slipped deadlines, each
    commitment's report with its evidence and verification, the commitments with no report,
    and for a regional plan the national work aligned to each commitment. Printable HTML in
    the request's language; `Accept: text/markdown` (or `/report.md`) for Markdown,
    `Accept: application/json` for the data."""
    return _period_report(request, ref, period, "", session, settings, today)


@router.get("/{ref}/report.md", response_class=PlainTextResponse, responses=MEDIA)
def get_period_report_markdown(
    ref: str,
    period: PeriodQuery,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    _caller: CurrentUserDep,
) -> Response:
    """The period report as Markdown."""
    return _period_report(request, ref, period, ".md", session, settings, today)
