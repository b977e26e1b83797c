"""The poll fast path: a GET of a polled collection is answered ahead of routing, from the
watcher's snapshot, without a database round trip: 304 when the client holds the current ETag,
and otherwise the answer the route gave for that ETag, when it is kept (PollCache).

It answers only what the route itself would answer: the same ETag (app.http.collection_etag)
and the same authentication (a live token in the snapshot, or the public dashboard's anonymous
summary). Anything it is unsure of — no fresh snapshot, a token it does not know, a route with a
role check — goes on to the routes.

Keeping answers is sound for the reason a 304 is: the ETag names everything the answer depends
on (the data version, the address, the language, the day, the caller's audience and, for `me`,
the caller), so an answer given for an ETag is the answer for every request with that ETag.
"""

import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIRouter
from starlette.datastructures import QueryParams
from starlette.requests import HTTPConnection
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import params
from app.auth import granted, require_role, secret_of
from app.clock import Clock, today_of
from app.config import Settings
from app.deps import data_etag
from app.http import collection_etag, etag_matches
from app.live.feed import audience_of
from app.live.watcher import DataWatcher, Snapshot
from app.models import User
from app.ops.metrics import POLL_CACHE, POLLS

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
POLL_HIT, POLL_MISS = POLLS.labels("hit"), POLLS.labels("miss")
POLL_CACHE_HIT, POLL_CACHE_MISS = POLL_CACHE.labels("hit"), POLL_CACHE.labels("miss")
_ROLE_CHECK = require_role.__qualname__ + "."


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


@dataclass(frozen=True)
class Pollable:
    pattern: re.Pattern[str]
    params: frozenset[str]  # the query parameters it takes: another one is the route's to refuse

    def answers(self, scope: Scope) -> bool:
        if not self.pattern.match(scope["path"]):
            return False
        return not params.unknown(QueryParams(scope["query_string"]), self.params)


def pollable(routers: Iterable[tuple[str, APIRouter]]) -> list[Pollable]:
    """The GET routes whose answer hangs on the data ETag alone, once the caller is signed in:
    they depend on app.deps.data_etag and on no role check.

    Read from the routers as declared, each with the prefix the app includes it under: their
    routes' dependencies are resolved once, when the router is built. The app's own view of
    them (fastapi.routing.iter_route_contexts) is built lazily, router by router, for each app:
    asking it for every route costs about a second per app, and most tests make an app."""
    found = []
    for prefix, router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
                continue
            calls = [dependency.call for dependency in _dependencies(route.dependant)]
            role_checked = any(
                getattr(call, "__qualname__", "").startswith(_ROLE_CHECK) for call in calls
            )
            path = prefix + route.path
            if data_etag in calls and not role_checked and path:
                found.append(Pollable(compile_path(path)[0], params.declared(route)))
    return found


@dataclass(frozen=True)
class Answer:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PollCache:
    """Answers (200) of polled collections by their ETag and host (links name the host), for
    one data version: a newer version empties it, since no answer of an older one is asked for
    again. The least recently used go first when the answers exceed `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple[str, bytes], Answer] = OrderedDict()
        self._bytes = 0
        self._version = -1

    def get(self, version: int, key: tuple[str, bytes]) -> Answer | None:
        if version != self._version:
            return None
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, version: int, key: tuple[str, bytes], answer: Answer) -> None:
        if len(answer.body) > self.max_bytes // 8:
            return  # an export: one would push out the pages that polls ask for
        if version != self._version:
            if version < self._version:
                return  # answered from an older version than the cache already holds
            self._answers.clear()
            self._bytes, self._version = 0, version
        if key in self._answers:
            return
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while self._bytes > self.max_bytes:
            _key, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped.body)


class ETagMemo:
    """app.http.collection_etag by what it reads of a request, for the current version and day:
    a poll then hashes nothing but its token. Entries name the caller only where the query may
    say `me`; a new version or day, or too many entries, start it afresh."""

    LIMIT = 4096

    def __init__(self) -> None:
        self._etags: dict[tuple[Any, ...], str] = {}
        self._for: tuple[int, date] = (-1, date.min)

    def get(
        self,
        scope: Scope,
        headers: dict[bytes, bytes],
        version: int,
        today: date,
        caller: User | None,
    ) -> str:
        if self._for != (version, today) or len(self._etags) >= self.LIMIT:
            self._etags, self._for = {}, (version, today)
        query: bytes = scope["query_string"]
        # As collection_etag reads `me`: literally, or perhaps percent-encoded.
        personal = b"me" in query.lower() or b"%" in query
        named = caller.id if caller is not None and personal else None
        audience = audience_of(caller)
        key = (scope["path"], query, headers.get(b"accept-language"), audience, named)
        etag = self._etags.get(key)
        if etag is None:
            etag = self._etags[key] = collection_etag(HTTPConnection(scope), version, today, caller)
        return etag


class PollFastPath:
    def __init__(
        self,
        app: ASGIApp,
        *,
        watcher: DataWatcher,
        clock: Clock,
        settings: Settings,
        routes: list[Pollable],
    ) -> None:
        self.app = app
        self.watcher = watcher
        self.clock = clock
        self.settings = settings
        self.routes = routes
        self.public_path = f"{settings.api_prefix}/summary" if settings.public_dashboard else None
        self.cache = PollCache(settings.poll_cache_bytes)
        self.etags = ETagMemo()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] not in SAFE:
            await self.app(scope, receive, self._invalidating(send))
        elif scope["method"] == "GET" and self._pollable(scope):
            await self._poll(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _pollable(self, scope: Scope) -> bool:
        return any(route.answers(scope) for route in self.routes)

    async def _poll(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _read_headers(scope)
        header = headers.get(b"if-none-match")
        snapshot = self.watcher.current()
        etag = self._current_etag(scope, headers, snapshot) if snapshot is not None else None
        if etag is None or snapshot is None:
            await self.app(scope, receive, _counting(send) if header else send)
            return
        if header is not None and etag_matches(header.decode("latin-1"), etag):
            POLL_HIT.inc()
            await send({"type": "http.response.start", "status": 304, "headers": _tag(etag)})
            await send({"type": "http.response.body", "body": b""})
            return
        key = (etag, headers.get(b"host", b""))
        answer = self.cache.get(snapshot.version, key)
        if answer is None:
            POLL_CACHE_MISS.inc()
            keeping = self._keeping(send, snapshot.version, key)
            await self.app(scope, receive, _counting(keeping) if header else keeping)
            return
        POLL_CACHE_HIT.inc()
        if header is not None:
            POLL_MISS.inc()
        await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})

    def _current_etag(
        self, scope: Scope, headers: dict[bytes, bytes], snapshot: Snapshot
    ) -> str | None:
        """The collection's current ETag, when the snapshot lets the caller read it."""
        secret = secret_of(headers.get(b"authorization", b"").decode("latin-1"))
        if secret is None:
            if scope["path"] != self.public_path:
                return None
            caller = None
        else:
            caller = granted(snapshot, secret, self.clock.now())
            if caller is None:
                return None  # unknown here: perhaps new; the route decides
        return self.etags.get(scope, headers, snapshot.version, self._today(), caller)

    def _keeping(self, send: Send, version: int, key: tuple[str, bytes]) -> Send:
        """`send`, keeping the route's answer when it is a whole 200 for the same ETag."""
        started: Message | None = None
        parts: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                etag = key[0].encode()
                if message["status"] == 200 and (b"etag", etag) in message["headers"]:
                    started = message
            elif started is not None and message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answer = Answer(list(started["headers"]), b"".join(parts))
                    self.cache.put(version, key, answer)
            await send(message)

        return wrapped

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


_READ = frozenset({b"authorization", b"if-none-match", b"accept-language", b"host"})


def _read_headers(scope: Scope) -> dict[bytes, bytes]:
    """The headers the fast path reads; of a repeated one the first, as Starlette reads it."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _READ and name not in found:
            found[name] = value
    return found


def _tag(etag: str) -> list[tuple[bytes, bytes]]:
    return [(b"etag", etag.encode())]


def _counting(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            (POLL_HIT if message["status"] == 304 else POLL_MISS).inc()
        await send(message)

    return wrapped
