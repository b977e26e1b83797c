import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from app import contract
from app.clock import Clock, SystemClock
from app.commitments.router import alignments_router
from app.commitments.router import router as commitments_router
from app.config import Settings, get_settings
from app.dashboard import live as dashboard_live
from app.dashboard.router import STATIC as DASHBOARD_STATIC
from app.dashboard.router import router as dashboard_router
from app.db import make_engine
from app.errors import install_error_handlers
from app.exchange.router import router as exchange_router
from app.holders import holder_for
from app.http import NotModified, not_modified_response
from app.idempotency import Idempotency
from app.migrate import head_revision
from app.ops import apidocs, headers
from app.ops.collector import process_exited
from app.ops.logging import configure_logging
from app.ops.middleware import AccessLog, BodySizeLimit, PathLimit
from app.ops.router import router as ops_router
from app.organisations.router import router as organisations_router
from app.pages import errors as page_errors
from app.pages.plans import router as plan_pages_router
from app.pages.reports import router as report_pages_router
from app.pages.router import router as pages_router
from app.pages.tasks import router as task_pages_router
from app.params import check_request
from app.plans.router import pillars_router
from app.plans.router import router as plans_router
from app.reminders.mail import announce as announce_mail
from app.reminders.router import router as reminders_router
from app.reports.files_router import router as report_files_router
from app.reports.report_router import router as period_report_router
from app.reports.router import periods_router
from app.reports.router import router as reports_router
from app.signin.router import router as signin_router
from app.storage import Store, store_of
from app.tasks.router import router as tasks_router
from app.templating import STATIC as PAGES_STATIC
from app.users.router import router as users_router
from app.users.tokens_router import router as tokens_router
from app.webhooks import service as webhooks
from app.webhooks.router import router as webhooks_router

# Room for the multipart framing and the report page form's other fields beside an evidence file.
UPLOAD_OVERHEAD = 65_536

API_ROUTERS = (
    organisations_router,
    plans_router,
    pillars_router,
    commitments_router,
    alignments_router,
    periods_router,
    period_report_router,
    reports_router,
    report_files_router,
    exchange_router,  # before tasks: /tasks.csv and /tasks.xlsx are not task ids
    tasks_router,
    users_router,
    tokens_router,
    dashboard_router,
    reminders_router,
    webhooks_router,
)

PAGES_ROUTERS = (
    signin_router,
    pages_router,
    task_pages_router,
    plan_pages_router,
    report_pages_router,
)


def included_routers(api_prefix: str) -> list[tuple[str, APIRouter]]:
    """The routers of the app, in order, each with the prefix it is included under."""
    return [
        *((api_prefix, router) for router in API_ROUTERS),
        ("", ops_router),
        *(("", router) for router in PAGES_ROUTERS),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    store: Store | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    announce_mail(settings)
    webhooks.install()  # task events add webhook outbox rows inside the writing transaction
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)
    clock = clock or SystemClock()
    live = dashboard_live.create(engine, settings, clock)
    holder = holder_for(engine)  # names this process in its idempotency claims

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with dashboard_live.running(live):
            yield
        holder.release()
        if owns_engine:
            engine.dispose()
        process_exited()

    app = FastAPI(
        title="Pantau",
        summary="Tracks child online protection action plans: ASEAN RPA and Perpres 87/2025.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=contract.operation_id,
        docs_url=None,  # app.ops.apidocs serves /docs and /redoc without a CDN
        redoc_url=None,
        dependencies=[Depends(check_request)],  # every route refuses what it does not read
    )
    app.state.settings = settings
    app.state.clock = clock  # the one clock: the hub, the fast path and every route read it
    app.state.engine = engine
    app.state.holder = holder
    app.state.evidence_store = store or store_of(settings)
    app.state.migration_head = head_revision(settings.database_url)

    install_error_handlers(app)
    contract.install(app)
    app.add_exception_handler(NotModified, _not_modified)
    routers = included_routers(settings.api_prefix)
    for prefix, router in routers:
        app.include_router(router, prefix=prefix)
    app.state.page_errors = page_errors.page_error
    app.mount("/static/pages", StaticFiles(directory=PAGES_STATIC), name="pages-static")
    apidocs.install(app)
    app.mount("/static", StaticFiles(directory=DASHBOARD_STATIC), name="static")
    app.add_middleware(
        Idempotency,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
        stale_after=timedelta(seconds=settings.idempotency_claim_seconds),
    )
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, paths=body_limits(settings)
    )
    app.add_middleware(AccessLog)
    dashboard_live.install(app, live, routers)  # a poll hit skips every layer below
    headers.install(app, settings)  # outermost: every answer, a poll hit's too
    return app


def body_limits(settings: Settings) -> list[PathLimit]:
    """Paths whose bodies have a limit of their own, with the API prefix or without: evidence
    uploads (the API's and the report page's) up to the evidence limit, and imports, whose
    files outgrow a JSON body long before they reach the row limit."""
    api = f"(?:{re.escape(settings.api_prefix)})?"
    return [
        (
            re.compile(rf"^{api}/reports/[^/]+/files$"),
            settings.evidence_max_bytes + UPLOAD_OVERHEAD,
        ),
        (re.compile(rf"^{api}/imports$"), settings.import_max_bytes),
    ]


async def _not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return not_modified_response(exc.etag)
