"""Pure ASGI middleware: body size limit, access log and request metrics."""

import logging
import re
import time
from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge, render
from app.i18n import plural
from app.ops.metrics import LATENCY, REQUESTS

access_log = logging.getLogger("pantau.access")


# A path pattern and the largest body a request to a matching path may carry.
PathLimit = tuple[re.Pattern[str], int]


class BodySizeLimit:
    """Refuses bodies over the limit with 413: by Content-Length, or, for a chunked body without
    one, by reading it here before the app sees it. (A limit raised while the app reads the body
    would reach FastAPI's body parser, which turns any error into a 400.)

    A path may have a limit of its own, larger or smaller than `max_bytes` (evidence uploads,
    imports): the first pattern of `paths` that matches it gives it."""

    def __init__(self, app: ASGIApp, max_bytes: int, paths: Sequence[PathLimit] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = tuple(paths)

    def limit_of(self, path: str) -> int:
        for pattern, limit in self.paths:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        request = Request(scope)
        declared = request.headers.get("content-length")
        if declared is not None and declared.strip().isdigit():
            if int(declared) > limit:
                await self._refuse(request, send, limit)
                return
            await self.app(scope, receive, send)  # the server frames the body by its length
            return
        if "transfer-encoding" not in request.headers:
            await self.app(scope, receive, send)
            return
        body = await self._read(receive, limit)
        if body is None:
            await self._refuse(request, send, limit)
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)  # disconnected: the app will find out
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, request: Request, send: Send, limit: int) -> None:
        response = render(
            PayloadTooLarge(
                plural(
                    "The body exceeds {limit} byte.", "The body exceeds {limit} bytes.", "limit"
                ),
                limit=limit,
            ),
            request,
        )
        response.headers["Connection"] = "close"  # the rest of the body is never read
        await response(request.scope, _empty, send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class AccessLog:
    """One structured log line and one metric sample per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
