"""The poll fast path: a conditional GET on a collection is answered 304 ahead of routing, from
the watcher's snapshot, without a database round trip.

It answers only what the route itself would answer 304: the same ETag (app.http.request_etag)
and the same authentication (a live token in the snapshot, or the public dashboard's anonymous
summary). Anything it is unsure of — no fresh snapshot, a token it does not know, a route with a
role check — goes on to the routes.
"""

import re
from collections.abc import Iterator
from datetime import date

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import bearer_secret, hash_secret, require_role
from app.clock import Clock
from app.config import Settings
from app.dashboard.watcher import DataWatcher, Snapshot
from app.deps import data_etag, today_of
from app.http import etag_matches, request_etag
from app.ops.metrics import POLLS

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_ROLE_CHECK = require_role.__qualname__ + "."


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def pollable(app: FastAPI) -> list[re.Pattern[str]]:
    """The GET routes whose answer hangs on the data ETag alone, once the caller is signed in:
    they depend on app.deps.data_etag and on no role check."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or "GET" not in (route.methods or ()):
            continue
        calls = [dependency.call for dependency in _dependencies(route.dependant)]
        role_checked = any(
            getattr(call, "__qualname__", "").startswith(_ROLE_CHECK) for call in calls
        )
        if data_etag in calls and not role_checked and route.path:
            found.append(compile_path(route.path)[0])
    return found


class PollFastPath:
    def __init__(
        self,
        app: ASGIApp,
        *,
        watcher: DataWatcher,
        clock: Clock,
        settings: Settings,
        routes: list[re.Pattern[str]],
    ) -> None:
        self.app = app
        self.watcher = watcher
        self.clock = clock
        self.settings = settings
        self.routes = routes
        self.public_path = f"{settings.api_prefix}/summary" if settings.public_dashboard else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] not in SAFE:
            await self.app(scope, receive, self._invalidating(send))
        elif scope["method"] == "GET" and self._pollable(scope["path"]):
            await self._poll(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _pollable(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.routes)

    async def _poll(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        header = request.headers.get("if-none-match")
        if header is None:
            await self.app(scope, receive, send)
            return
        etag = self._unchanged(request, header)
        if etag is not None:
            POLLS.labels("hit").inc()
            await send({"type": "http.response.start", "status": 304, "headers": _tag(etag)})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, _counting(send))

    def _unchanged(self, request: Request, header: str) -> str | None:
        """The ETag the client holds, when it is still current and the caller may read."""
        snapshot = self.watcher.current()
        if snapshot is None or not self._authorised(request, snapshot):
            return None
        etag = request_etag(request, snapshot.version, self._today())
        return etag if etag_matches(header, etag) else None

    def _authorised(self, request: Request, snapshot: Snapshot) -> bool:
        secret = bearer_secret(request)
        if secret is None:
            return request.url.path == self.public_path
        hashed = hash_secret(secret)
        if hashed not in snapshot.tokens:
            return False  # unknown here: perhaps new; the route decides
        expires_at = snapshot.tokens[hashed]
        return expires_at is None or expires_at > self.clock.now()

    def _today(self) -> date:
        return today_of(self.clock, self.settings)

    def _invalidating(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            # The write has committed (the session commits before the response starts): polls
            # must not be answered from the older snapshot any more.
            if message["type"] == "http.response.start" and message["status"] < 400:
                self.watcher.invalidate()
            await send(message)

        return wrapped


def _tag(etag: str) -> list[tuple[bytes, bytes]]:
    return [(b"etag", etag.encode())]


def _counting(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            POLLS.labels("hit" if message["status"] == 304 else "miss").inc()
        await send(message)

    return wrapped
