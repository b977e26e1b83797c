from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from app.errors import ServiceUnavailable
from app.i18n import N_
from app.migrate import current_revision
from app.ops.collector import exposition

router = APIRouter(tags=["ops"])
RETRY = {"Retry-After": "5"}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, str]:
    """The database answers and its schema is at the migrations' head."""
    engine = request.app.state.engine
    try:
        revision = await run_in_threadpool(current_revision, engine)
    except Exception as error:
        raise ServiceUnavailable(
            N_("The database cannot be reached; try again shortly."), headers=RETRY
        ) from error
    head = request.app.state.migration_head
    if revision != head:
        raise ServiceUnavailable(
            N_("The database schema is not at the latest migration; run `pantau migrate`."),
            headers=RETRY,
        )
    return {"status": "ready", "revision": str(revision)}


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: this process's, and reminders and webhook deliveries by status."""
    body = await run_in_threadpool(exposition, request.app.state.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
