"""Idempotency-Key on POST, as pure ASGI middleware: a retry returns the first answer.

A POST with an `Idempotency-Key` and a bearer token is scoped by (SHA-256 of the token, key),
and fingerprinted by its method, path, query and body; a multipart body by its parts, so a
retry that picks another boundary is the same request.
The key is claimed in a transaction of its own, committed before the request runs, so a
duplicate that arrives meanwhile (another replica included) finds the claim and gets 409. The
answer is stored before it is sent, so a client that saw it and retries gets it back. A 5xx or
an exception releases the claim, so the request can be retried. A claim names its holder, the
process running it (app.holders): once that process is dead (killed mid-request), the next
retry takes the claim over at once; while it lives, never. The window that remains: a process
that dies after the request committed but before its answer was stored lets a retry run it
again.
"""

import hashlib
import logging
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
from sqlalchemy import ColumnElement, Engine, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, delete
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import bearer_secret, hash_secret
from app.db import unit_of_work
from app.errors import AppError, BadRequest, Conflict, ServiceUnavailable, render
from app.holders import Holder
from app.i18n import N_
from app.models import IdempotentRequest
from app.ops.middleware import replay_body

logger = logging.getLogger("pantau.idempotency")

KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as the IETF draft's examples
MULTIPART = "multipart/form-data"
MAX_PARTS = 64  # a form beyond this is no form of ours: its raw bytes are fingerprinted
KEPT_HEADERS = ("content-type", "content-language", "etag", "location", "link")
REPLAYED = "Idempotent-Replayed"
RETRY = {"Retry-After": "1"}
STILL_RUNNING = N_(
    "A request with this Idempotency-Key is still running; retry when it has finished."
)


class IdempotencyMismatch(AppError):
    status, slug, title = 422, "idempotency-mismatch", N_("Idempotency-Key reused")


class IdempotencyInProgress(Conflict):
    slug, title = "idempotency-in-progress", N_("Request still in progress")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    engine: Engine
    holder: Holder
    token_hash: str
    key: str
    fingerprint: str


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _framed(*parts: bytes) -> bytes:
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


async def canonical_body(headers: Headers, body: bytes) -> bytes:
    """What a request's body says, as its fingerprint takes it. A multipart/form-data body is
    its parts (field names, file names, content types and bytes, in order), not its bytes: the
    boundary that separates them is the client's pick, and a retry may pick another. A body
    that does not parse as multipart is taken as it is (the route refuses it anyway)."""
    if headers.get("content-type", "").partition(";")[0].strip().casefold() != MULTIPART:
        return body

    async def stream() -> AsyncGenerator[bytes]:
        yield body

    parser = MultiPartParser(
        headers,
        stream(),
        max_files=MAX_PARTS,
        max_fields=MAX_PARTS,
        max_part_size=max(len(body), 1),
    )
    try:
        form = await parser.parse()
    except MultiPartException:
        return body
    framed = [MULTIPART.encode()]
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                described = (b"file", (value.filename or "").encode(), _type_of(value), content)
                framed.append(_framed(name.encode(), *described))
            else:
                framed.append(_framed(name.encode(), b"field", value.encode()))
    finally:
        await form.close()
    return _framed(*framed)


def _type_of(upload: UploadFile) -> bytes:
    return (upload.content_type or "").encode("latin-1", "replace")


def _insert(session: Session, claim: Claim, now: datetime) -> bool:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(IdempotentRequest).values(
        token_hash=claim.token_hash,
        key=claim.key,
        fingerprint=claim.fingerprint,
        headers={},
        body=b"",
        created_at=now,
        holder=claim.holder.id,
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that did nothing.
    returning = statement.on_conflict_do_nothing().returning(IdempotentRequest.key)
    return session.exec(returning).first() is not None


def take(claim: Claim, *, now: datetime, ttl: timedelta, stale_after: timedelta) -> Answer | None:
    """Claim the key (None: go ahead), or the stored answer to replay; raises when refused."""
    claim.holder.hold()
    with unit_of_work(claim.engine) as session:
        # Expired keys of every client go here, so the table cleans itself.
        session.exec(delete(IdempotentRequest).where(col(IdempotentRequest.created_at) < now - ttl))
        if _insert(session, claim, now):
            return None
        row = session.get(IdempotentRequest, (claim.token_hash, claim.key), populate_existing=True)
        if row is None:  # released between our insert and read: the next retry may claim it
            raise IdempotencyInProgress(
                STILL_RUNNING,
                headers=RETRY,
            )
        if row.fingerprint != claim.fingerprint:
            raise IdempotencyMismatch(N_("This Idempotency-Key was used with a different request."))
        if row.status_code is not None:
            return Answer(row.status_code, dict(row.headers), bytes(row.body))
        if _running(session, row, claim.holder, now - stale_after):
            raise IdempotencyInProgress(
                STILL_RUNNING,
                headers=RETRY,
            )
        if not _take_over(session, row, claim.holder, now):  # another retry took it first
            raise IdempotencyInProgress(
                STILL_RUNNING,
                headers=RETRY,
            )
        return None


def _running(session: Session, row: IdempotentRequest, holder: Holder, since: datetime) -> bool:
    """Whether the first attempt may still be running. A claim made before claims named their
    holder goes stale by age."""
    if row.holder is None:
        return row.created_at > since
    return holder.alive(session, row.holder)


def _take_over(session: Session, row: IdempotentRequest, holder: Holder, now: datetime) -> bool:
    """Move the unfinished claim of a dead holder to ours, unless another retry just did."""
    mine = (
        update(IdempotentRequest)
        .where(col(IdempotentRequest.token_hash) == row.token_hash)
        .where(col(IdempotentRequest.key) == row.key)
        .where(col(IdempotentRequest.status_code).is_(None))
        .where(_same_holder(row.holder))
        .values(holder=holder.id, created_at=now)
        .returning(col(IdempotentRequest.key))
    )
    return session.exec(mine).first() is not None


def _same_holder(holder: str | None) -> ColumnElement[bool]:
    column = col(IdempotentRequest.holder)
    return column.is_(None) if holder is None else column == holder


def finish(claim: Claim, answer: Answer | None) -> None:
    """Store the answer, or (None) release the claim so the request can be retried."""
    with unit_of_work(claim.engine) as session:
        row = session.get(IdempotentRequest, (claim.token_hash, claim.key))
        if row is None or row.status_code is not None:
            return
        if answer is None:
            session.delete(row)
            return
        row.status_code, row.headers, row.body = answer.status, answer.headers, answer.body
        session.add(row)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class Idempotency:
    def __init__(self, app: ASGIApp, ttl: timedelta, stale_after: timedelta) -> None:
        self.app = app
        self.ttl = ttl
        self.stale_after = stale_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key, secret = request.headers.get("idempotency-key"), bearer_secret(request)
        if key is None or secret is None:
            await self.app(scope, receive, send)
            return
        if not KEY.match(key):
            await render(
                BadRequest(N_("An Idempotency-Key is 1 to 200 visible ASCII characters.")), request
            )(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is not None:
            canonical = await canonical_body(request.headers, body)
            mark = fingerprint(scope["method"], scope["path"], scope["query_string"], canonical)
            state = scope["app"].state
            claim = Claim(state.engine, state.holder, hash_secret(secret), key, mark)
            await self._handle(claim, body, request, receive, send)

    async def _handle(
        self, claim: Claim, body: bytes, request: Request, receive: Receive, send: Send
    ) -> None:
        scope, now = request.scope, request.app.state.clock.now()
        try:
            stored = await run_in_threadpool(
                take, claim, now=now, ttl=self.ttl, stale_after=self.stale_after
            )
        except AppError as error:
            await render(error, request)(scope, _no_body, send)
            return
        except DBAPIError:
            logger.warning("idempotency claim failed: database unavailable", exc_info=True)
            unavailable = ServiceUnavailable(
                N_("The database cannot be reached; try again shortly."),
                headers={"Retry-After": "5"},
            )
            await render(unavailable, request)(scope, _no_body, send)
            return
        if stored is None:
            await self._run(claim, body, scope, receive, send)
            return
        headers = {**stored.headers, REPLAYED: "true"}
        await Response(stored.body, stored.status, headers)(scope, _no_body, send)

    async def _run(
        self, claim: Claim, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Run the request with the body read; store its answer, then send it."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_body(body, receive), capture)
        except BaseException:
            with anyio.CancelScope(shield=True):  # a client that hung up cancels us
                await self._settle(claim, None)
            raise
        answer = _answer(start, b"".join(chunks))
        await self._settle(claim, answer if start and answer.status < 500 else None)
        if not start:
            return
        await send(start)
        await send({"type": "http.response.body", "body": answer.body, "more_body": False})

    async def _settle(self, claim: Claim, answer: Answer | None) -> None:
        try:
            await run_in_threadpool(finish, claim, answer)
        except DBAPIError:
            # The claim stays: repeats get 409 until it goes stale, then they run again.
            logger.warning("idempotency answer not stored", exc_info=True)


def _answer(start: Message, body: bytes) -> Answer:
    headers: dict[str, str] = {}
    for name, value in start.get("headers", []):
        if name.decode("latin-1").lower() in KEPT_HEADERS:
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
    return Answer(int(start.get("status", 500)), headers, body)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
