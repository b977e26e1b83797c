"""The report pages: open a commitment's report for a period, edit the draft (assessment,
narratives, indicator, evidence links and files), submit it; a coordinator of the plan accepts
it or returns it with a comment. Every write calls the service the API's routes call
(app.reports.service, app.reports.evidence) under the report's row lock; a form based on an
older version is never applied (a 409 page that says so, with the person's values)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app.clock import Clock
from app.commitments import service as commitments
from app.config import Settings
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep, StoreDep, TodayDep
from app.errors import AppError
from app.models import Assessment, Commitment, Organisation, Plan, Report, User
from app.pages.security import PageUserDep, mark_page
from app.pages.tasks import problem_text
from app.reports import evidence, rules, service
from app.reports.files_router import read_upload
from app.reports.schemas import ASSESSMENT_NAMES, ReportCreate, ReportReview, ReportUpdate
from app.storage import Store
from app.templating import PAGE_HEADERS, language_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

Version = Annotated[int, Form(ge=0, le=2**31)]
Text = Annotated[str, Form(max_length=50_000)]
Short = Annotated[str, Form(max_length=500)]
Links = Annotated[list[str], Form(max_length=60)]
EVIDENCE_ROWS = 3  # blank rows for new links, beside the report's own


def _context(
    session: Session,
    user: User,
    settings: Settings,
    today: date,
    commitment: Commitment,
    period_id: str,
    report: Report | None,
) -> dict[str, Any]:
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None  # foreign key
    lead = session.get(Organisation, commitment.lead_organisation_id)
    period = service.period_of(plan, settings, period_id)
    may_file = _may(lambda: rules.ensure_can_file(session, user, commitment))
    reviewer = rules.is_reviewer(session, user, plan.id)
    public = service.public(session, report) if report else None
    return {
        "plan": plan,
        "commitment": commitment,
        "lead": lead,
        "period": period,
        "started": period.started(today),
        "report": public,
        "may_edit": may_file and (report is None or report.state in rules.EDITABLE),
        "may_review": reviewer and report is not None and report.state.value == "submitted",
        "may_file": may_file,
        "assessments": [(a.value, ASSESSMENT_NAMES[a]) for a in Assessment],
        "evidence_rows": EVIDENCE_ROWS,
        "max_bytes": settings.evidence_max_bytes,
    }


def _may(check: Callable[[], None]) -> bool:
    try:
        check()
    except AppError:
        return False
    return True


def _page(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    today: date,
    report: Report,
    status: int = 200,
    **extra: Any,
) -> Response:
    commitment = session.get(Commitment, report.commitment_id)
    assert commitment is not None
    context = _context(session, user, settings, today, commitment, report.period, report)
    return render(request, "report.html", {**context, **extra}, status=status)


@router.get("/commitments/{ref}/reports/{period}")
def open_report(
    ref: str,
    period: str,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    settings: SettingsDep,
    today: TodayDep,
) -> Response:
    """The commitment's report for the period: the report's page when one was filed, else the
    form to file it (for its filers, once the period has started)."""
    commitment = commitments.resolve(session, ref)
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    found = service.period_of(plan, settings, period)
    report = service.find(session, commitment, found.id)
    if report is not None:
        return RedirectResponse(f"/reports/{report.id}", status_code=303, headers=PAGE_HEADERS)
    context = _context(session, user, settings, today, commitment, found.id, None)
    return render(request, "report.html", context)


@dataclass(frozen=True, slots=True)
class ReportForm:
    """What every form of the report pages writes with: the person, the request, the clock."""

    request: Request
    session: Session
    user: User
    settings: Settings
    clock: Clock
    today: date


def report_form(
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    settings: SettingsDep,
    clock: ClockDep,
    today: TodayDep,
) -> ReportForm:
    return ReportForm(request, session, user, settings, clock, today)


ReportFormDep = Annotated[ReportForm, Depends(report_form)]


def draft_fields(
    assessment: Short,
    narrative_en: Text = "",
    narrative_id: Text = "",
    indicator_value: Short = "",
    evidence_url: Links = [],  # noqa: B006 (FastAPI copies defaults)
    evidence_title: Links = [],  # noqa: B006
) -> dict[str, Any]:
    """The draft's form, filing or saving it, as the API's body has it: blank is none, a blank
    link row is no link."""
    titles = evidence_title + [""] * (len(evidence_url) - len(evidence_title))
    links = [
        {"url": url.strip(), "title": title.strip() or None}
        for url, title in zip(evidence_url, titles, strict=False)
        if url.strip()
    ]
    return {
        "assessment": assessment or None,
        "narrative_en": narrative_en.strip() or None,
        "narrative_id": narrative_id.strip() or None,
        "indicator_value": indicator_value.strip() or None,
        "evidence": links,
    }


DraftDep = Annotated[dict[str, Any], Depends(draft_fields)]


@router.post("/commitments/{ref}/reports/{period}")
def file_report(ref: str, period: str, w: ReportFormDep, fields: DraftDep) -> Response:
    """File the draft (app.reports.service.create, as POST /reports)."""
    session, user, settings = w.session, w.user, w.settings
    commitment = commitments.resolve(session, ref)
    try:
        data = ReportCreate.model_validate(
            {**fields, "commitment": str(commitment.id), "period": period}
        )
        report = service.create(session, data, actor=user, settings=settings, now=w.clock.now())
    except (AppError, ValidationError) as error:
        if isinstance(error, AppError) and error.status in (403, 404):
            raise
        session.rollback()
        plan = session.get(Plan, commitment.plan_id)
        assert plan is not None
        found = service.period_of(plan, settings, period)
        context = _context(session, user, settings, w.today, commitment, found.id, None)
        problem = problem_text(error, language_of(w.request))
        status = error.status if isinstance(error, AppError) else 422
        return render(
            w.request, "report.html", {**context, "problem": problem, "form": fields}, status=status
        )
    return _saved(report)


def _saved(report: Report) -> Response:
    return RedirectResponse(f"/reports/{report.id}?saved=1", status_code=303, headers=PAGE_HEADERS)


@router.get("/reports/{report_id}")
def report_page(
    report_id: str,
    request: Request,
    session: SessionDep,
    user: PageUserDep,
    settings: SettingsDep,
    today: TodayDep,
    saved: bool = False,
) -> Response:
    report = service.resolve(session, report_id)
    return _page(request, session, user, settings, today, report, saved=saved)


def _write(
    w: ReportForm,
    report_id: str,
    version: int | None,
    change: Callable[[Report], object],
    form: dict[str, Any],
) -> Response:
    """Lock the report; a form of an older version is shown back, never applied; apply the
    change through the service and go back to the page, or show why it was not applied."""
    request, session, user, settings, today = w.request, w.session, w.user, w.settings, w.today
    report = service.resolve(session, report_id, for_update=True)
    if version is not None and version != report.version:
        stale = {"old": version, "new": report.version}
        return _page(request, session, user, settings, today, report, 409, stale=stale, form=form)
    try:
        change(report)
    except (AppError, ValidationError) as error:
        if isinstance(error, AppError) and error.status in (403, 404):
            raise
        session.rollback()
        report = service.resolve(session, report_id)
        problem = problem_text(error, language_of(request))
        status = error.status if isinstance(error, AppError) else 422
        return _page(
            request, session, user, settings, today, report, status, problem=problem, form=form
        )
    return _saved(report)


@router.post("/reports/{report_id}")
def save_report(report_id: str, w: ReportFormDep, version: Version, fields: DraftDep) -> Response:
    """Save the draft (app.reports.service.update, as PATCH /reports/{id})."""

    def apply(report: Report) -> None:
        data = ReportUpdate.model_validate(fields)
        service.update(w.session, report, data, actor=w.user, now=w.clock.now())

    return _write(w, report_id, version, apply, {"kind": "edit", **fields})


def _step(action: str) -> Callable[..., Response]:
    def step(report_id: str, w: ReportFormDep, version: Version, comment: Text = "") -> Response:
        def apply(report: Report) -> None:
            data = ReportReview.model_validate({"comment": comment.strip() or None})
            service.step(w.session, report, action, data, actor=w.user, now=w.clock.now())

        return _write(w, report_id, version, apply, {"kind": action, "comment": comment})

    step.__doc__ = f"{action.capitalize()} the report (app.reports.service.step, as the API)."
    return step


for _action in ("submit", "accept", "return"):
    router.add_api_route(f"/reports/{{report_id}}/{_action}", _step(_action), methods=["POST"])


@router.post("/reports/{report_id}/files")
def add_file(
    report_id: str, w: ReportFormDep, store: StoreDep, file: Annotated[UploadFile, File()]
) -> Response:
    """Add an evidence file (app.reports.evidence.add, as POST /reports/{id}/files)."""
    data = read_upload(file, w.settings.evidence_max_bytes)

    def apply(report: Report) -> None:
        evidence.add(
            w.session,
            store,
            report,
            name=file.filename or "",
            data=data,
            max_bytes=w.settings.evidence_max_bytes,
            actor=w.user,
            now=w.clock.now(),
        )

    return _write(w, report_id, None, apply, {"kind": "file"})


@router.post("/reports/{report_id}/files/{file_id}/delete")
def delete_file(report_id: str, file_id: str, w: ReportFormDep, store: StoreDep) -> Response:
    """Remove an evidence file (app.reports.evidence.remove, as DELETE …/files/{id})."""
    removed: list[str] = []

    def apply(report: Report) -> None:
        row = evidence.resolve(w.session, report, file_id)
        removed.append(evidence.remove(w.session, report, row, actor=w.user, now=w.clock.now()))

    answer = _write(w, report_id, None, apply, {})
    if removed and answer.status_code == 303:
        answer.background = _deleter(store, removed[0])
    return answer


def _deleter(store: Store, key: str) -> Any:
    from starlette.background import BackgroundTask

    return BackgroundTask(store.delete, key)
