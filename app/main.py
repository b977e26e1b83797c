from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine

from app.clock import Clock, SystemClock
from app.commitments.router import router as commitments_router
from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import install_error_handlers
from app.http import NotModified, not_modified_response
from app.migrate import head_revision
from app.ops.logging import configure_logging
from app.ops.middleware import AccessLog, BodySizeLimit
from app.ops.router import router as ops_router
from app.organisations.router import router as organisations_router
from app.plans.router import router as plans_router
from app.tasks.router import router as tasks_router
from app.users.router import router as users_router

API_ROUTERS = (
    organisations_router,
    plans_router,
    commitments_router,
    tasks_router,
    users_router,
)


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, engine: Engine | None = None
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="Pantau",
        summary="Tracks child online protection action plans: ASEAN RPA and Perpres 87/2025.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = engine
    app.state.migration_head = head_revision(settings.database_url)

    install_error_handlers(app)
    app.add_exception_handler(NotModified, _not_modified)
    for router in API_ROUTERS:
        app.include_router(router, prefix=settings.api_prefix)
    app.include_router(ops_router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app


async def _not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return not_modified_response(exc.etag)
