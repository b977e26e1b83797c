import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth import CurrentUserDep, current_user, failed, require_role
from app.collector import paused_until_returned
from app.config import Settings
from app.db import SessionDep, finish, get_engine, open_session, unit_of_work, write_apart
from app.deps import CallerETagDep, ClockDep, DataETagDep, LocaleDep, SettingsDep, TodayDep
from app.errors import Unauthenticated
from app.exchange import calendar, export, feedkeys, files, matrix, service
from app.exchange.headers import SheetKind
from app.exchange.schemas import FeedKeyCreated, ImportReport, MatrixFilters, MatrixReport
from app.http import answer, resource_etag
from app.i18n import N_
from app.models import Plan, Role, User
from app.organisations import service as organisations
from app.plans import service as plans
from app.reports import service as reports
from app.tasks import query
from app.tasks.router import FiltersDep

router = APIRouter(tags=["exchange"])

Responses = dict[int | str, dict[str, Any]]
IMPORT_ERRORS: Responses = {
    403: {"description": "Not a coordinator or admin, or not of the matrix's plan"},
    413: {"description": "Body over PANTAU_MAX_BODY_BYTES, or more rows than allowed"},
    415: {"description": "Not a CSV or XLSX file"},
    422: {"description": "Row errors ({row, field, message}) or an unreadable file"},
}
PLAN = "A matrix's plan (code or id); also a form field `plan`, or a plan column."
BINARY = {"schema": {"type": "string", "format": "binary"}}
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": BINARY,
            export.XLSX_TYPE: BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": BINARY, "plan": {"type": "string"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _file(content: bytes, media_type: str, etag: str, disposition: str) -> Response:
    headers = {"ETag": etag, "Content-Disposition": disposition}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/tasks.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_tasks_csv(
    user: CurrentUserDep,
    etag: CallerETagDep,
    session: SessionDep,
    filters: FiltersDep,
    today: TodayDep,
) -> Response:
    """Every task matching the filters of GET /tasks, as CSV (RFC 4180, UTF-8 with a BOM)."""
    rows = export.rows(session, query.own(filters, user), viewer=user, today=today)
    content = export.to_csv(rows)
    return _file(content, export.CSV_TYPE, etag, f'attachment; filename="tasks-{today}.csv"')


@router.get(
    "/tasks.xlsx", response_class=Response, responses={200: {"content": {export.XLSX_TYPE: {}}}}
)
def export_tasks_xlsx(
    user: CurrentUserDep,
    etag: CallerETagDep,
    session: SessionDep,
    filters: FiltersDep,
    today: TodayDep,
) -> Response:
    """Every task matching the filters of GET /tasks, as an XLSX workbook."""
    rows = export.rows(session, query.own(filters, user), viewer=user, today=today)
    content = export.to_xlsx(rows)
    return _file(content, export.XLSX_TYPE, etag, f'attachment; filename="tasks-{today}.xlsx"')


MatrixFiltersDep = Annotated[MatrixFilters, Query()]


@dataclass(frozen=True, slots=True)
class MatrixExport:
    """What a plan's matrix is exported with, in whichever format a route writes it."""

    user: User
    etag: str
    session: Session
    filters: MatrixFilters
    today: date
    locale: str
    settings: Settings

    def file(
        self, ref: str, write: Callable[[matrix.Matrix], bytes], media_type: str, suffix: str
    ) -> Response:
        """The matrix of the plan `ref` names, written by `write`, as an attachment."""
        plan = plans.resolve(self.session, ref)
        filters = self.filters
        period = reports.period_of(plan, self.settings, filters.period) if filters.period else None
        filters = filters.model_copy(
            update={"organisation": organisations.own(filters.organisation, self.user)}
        )
        built = matrix.build(
            self.session,
            plan,
            filters,
            viewer=self.user,
            today=self.today,
            language=self.locale,
            period=period,
        )
        return _file(write(built), media_type, self.etag, self._name(plan, suffix))

    def _name(self, plan: Plan, suffix: str) -> str:
        code = re.sub(r"[^A-Za-z0-9._-]", "-", plan.code)
        span = self.filters.period.upper() if self.filters.period else self.today.isoformat()
        return f'attachment; filename="matrix-{code}-{span}.{suffix}"'


def matrix_export(
    user: CurrentUserDep,
    etag: CallerETagDep,
    session: SessionDep,
    filters: MatrixFiltersDep,
    today: TodayDep,
    locale: LocaleDep,
    settings: SettingsDep,
) -> MatrixExport:
    return MatrixExport(user, etag, session, filters, today, locale, settings)


MatrixExportDep = Annotated[MatrixExport, Depends(matrix_export)]


@router.get(
    "/plans/{ref}/matrix.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_matrix_csv(ref: str, asked: MatrixExportDep) -> Response:
    """The plan in the shape of its annex (strategy, focus, key intervention, output, target
    year, responsible and related ministries/agencies), one row per task, in the request's
    language: `;`-separated CSV, UTF-8 with a BOM, as Excel writes it in Indonesia."""
    return asked.file(ref, matrix.to_csv, matrix.CSV_TYPE, "csv")


@router.get(
    "/plans/{ref}/matrix.xlsx",
    response_class=Response,
    responses={200: {"content": {export.XLSX_TYPE: {}}}},
)
def export_matrix_xlsx(ref: str, asked: MatrixExportDep) -> Response:
    """The plan's matrix as a workbook: the matrix sheet, the ministries and agencies it names
    (with their tasks and slips), and, for a `period`, that period's totals."""
    return asked.file(ref, matrix.to_xlsx, export.XLSX_TYPE, "xlsx")


async def uploaded(request: Request, settings: SettingsDep) -> files.Upload:
    """The uploaded file: the raw body, or the multipart field `file`."""
    content_type = request.headers.get("content-type", "")
    if files.media_type(content_type) == "multipart/form-data":
        return await files.from_form(request, settings.import_max_bytes)
    return files.Upload(await request.body(), content_type)


async def importer(request: Request) -> User:
    """The caller of an import, a coordinator or admin, authenticated in a read of its own:
    the request's unit of work (SessionDep) holds one of the process's few write slots from
    its start, and an upload is received and parsed before that, so that a slow client or a
    hostile file holds up no other writer."""
    session = open_session(get_engine(request), write=False)
    try:
        user = await current_user(request, session)
    finally:
        await run_in_threadpool(finish, session, commit=True)  # keeps the user loaded
    return await require_role(Role.coordinator)(user)


ImporterDep = Annotated[User, Depends(importer)]


async def uploaded_table(request: Request, user: ImporterDep, settings: SettingsDep) -> files.Table:
    """The rows of the uploaded file, read in the thread pool, before any write slot is taken."""
    upload = await uploaded(request, settings)
    limits = files.Limits(settings.import_max_rows, settings.import_max_unpacked_bytes)
    return await run_in_threadpool(files.read, upload, limits)


# Declared before SessionDep in the route: FastAPI resolves dependencies in that order.
TableDep = Annotated[files.Table, Depends(uploaded_table)]


@router.post("/imports", responses=IMPORT_ERRORS, openapi_extra=IMPORT_BODY)
@paused_until_returned  # planning's objects live on into the writing (app.collector)
async def import_tasks(
    request: Request,
    user: ImporterDep,
    table: TableDep,
    clock: ClockDep,
    today: TodayDep,
    locale: LocaleDep,
    dry_run: bool = False,
    plan: Annotated[str | None, Query(max_length=120, description=PLAN)] = None,
) -> ImportReport | MatrixReport:
    """Create and update tasks from CSV or XLSX in the task export's columns, or a plan's
    strategies, commitments and tasks from its matrix (the Perpres annex shape), all or
    nothing.

    The rows are checked and planned in a reading session, holding no write slot and no lock;
    only the writing of the plan takes them (app.exchange.service)."""
    now = clock.now()
    if table.kind is SheetKind.matrix:
        matrix = await run_in_threadpool(
            _planned_matrix, get_engine(request), table, user, locale, now, today, plan
        )
        return await write_apart(
            request, partial(service.write_matrix, planned=matrix, dry_run=dry_run)
        )
    planned = await run_in_threadpool(
        _planned, get_engine(request), table, user, locale, now, today
    )
    if dry_run:
        return planned.report(dry_run=True)
    return await write_apart(request, partial(service.write, planned=planned))


def _planned(
    engine: Engine, table: files.Table, user: User, locale: str, now: datetime, today: date
) -> service.Plan:
    with unit_of_work(engine, write=False) as session:
        return service.plan_rows(session, table, actor=user, locale=locale, now=now, today=today)


def _planned_matrix(
    engine: Engine,
    table: files.Table,
    user: User,
    locale: str,
    now: datetime,
    today: date,
    plan: str | None,
) -> service.MatrixPlan:
    with unit_of_work(engine, write=False) as session:
        return service.plan_matrix(
            session,
            table,
            actor=user,
            locale=locale,
            now=now,
            today=today,
            plan=plan or table.plan,
        )


async def feed_reader(
    request: Request,
    session: SessionDep,
    key: Annotated[str | None, Query(max_length=200, description="Your feed key.")] = None,
) -> User:
    """The feed key's user (calendar programs send no headers), or else the bearer token's."""
    if key is None:
        return await current_user(request, session)
    user = await run_in_threadpool(feedkeys.user_for_key, session, key)
    if user is None:
        unknown = Unauthenticated(N_("The calendar feed key is unknown, or was replaced."))
        raise await failed(request, session, unknown)
    request.state.user = user
    return user


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 401: {"description": "Unknown key"}},
)
def get_calendar(
    user: Annotated[User, Depends(feed_reader)],
    etag: DataETagDep,
    session: SessionDep,
    filters: FiltersDep,
    today: TodayDep,
    locale: LocaleDep,
    settings: SettingsDep,
    lang: Literal["en", "id"] | None = None,
) -> Response:
    """Deadlines as iCalendar, filtered as GET /tasks; ?key= from POST /users/me/feed-key."""
    content = calendar.feed(
        session,
        query.own(filters, user),
        user_id=user.id,
        today=today,
        locale=lang or locale,
        settings=settings,
    )
    return _file(content, calendar.MEDIA_TYPE, etag, 'inline; filename="pantau-deadlines.ics"')


@router.post("/users/me/feed-key", status_code=status.HTTP_201_CREATED)
def create_feed_key(
    response: Response,
    session: SessionDep,
    user: CurrentUserDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> FeedKeyCreated:
    """Create (or replace) your calendar feed key; it is shown this once."""
    key = feedkeys.create(session, user, now=clock.now())
    created = FeedKeyCreated(key=key, calendar_url=feedkeys.calendar_url(settings, key))
    return answer(response, created, resource_etag(1), location=created.calendar_url)


@router.delete("/users/me/feed-key", status_code=status.HTTP_204_NO_CONTENT)
def revoke_feed_key(session: SessionDep, user: CurrentUserDep, clock: ClockDep) -> None:
    """Revoke your calendar feed key: calendars that use it get 401 from then on."""
    feedkeys.revoke(session, user, now=clock.now())
