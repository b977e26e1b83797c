"""Who is on a page, and whether a form may write: the session cookie, CSRF token and Origin.

The cookie holds a random session secret; the server keeps its hash (app.signin.service), so
a cookie made anywhere else signs nobody in. Every form carries a token derived from that
secret and must come from this site's origin."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.auth import SESSION_COOKIE, session_user, touch
from app.config import Settings
from app.db import SAFE_METHODS, SessionDep
from app.errors import BadRequest, Unauthenticated
from app.i18n import N_
from app.models import User

# Why a form is refused when it does not come from this site's own page.
FORM_ORIGIN = N_("The form did not come from this site, or it is too old.")

CSRF_FIELD = "csrf"


def csrf_token(session_secret: str) -> str:
    return hmac.new(session_secret.encode(), b"pantau-csrf", hashlib.sha256).hexdigest()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(request: Request) -> None:
    """A form is only taken from this site: its Origin (or, without one, its Referer) must be
    the public URL's or the request's own."""
    settings: Settings = request.app.state.settings
    sent = request.headers.get("origin") or request.headers.get("referer") or ""
    allowed = {_origin(settings.public_url), _origin(str(request.base_url))}
    if not sent or _origin(sent) not in allowed:
        raise BadRequest(FORM_ORIGIN)


def local_path(value: str) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def check_csrf(request: Request, secret: str) -> None:
    check_origin(request)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(secret)):
        raise BadRequest(FORM_ORIGIN)


def _resolve(request: Request, session: SessionDep, secret: str) -> User | None:
    settings: Settings = request.app.state.settings
    now = request.app.state.clock.now()
    found = session_user(session, secret, now=now, settings=settings)
    if found is None:
        return None
    row, user = found
    touch(session, row, now)
    return user


async def page_user(request: Request, session: SessionDep) -> User:
    """The signed-in person of a page; a browser without a live session is sent to sign-in
    (and back here afterwards). A form must carry the CSRF token and come from this site."""
    secret = request.cookies.get(SESSION_COOKIE)
    user = await run_in_threadpool(_resolve, request, session, secret) if secret else None
    if user is None or secret is None:
        raise Unauthenticated(N_("Sign in first."))
    if request.method not in SAFE_METHODS:
        await check_csrf(request, secret)
    # What the templates show of the person, read now: an error page is rendered after the
    # request's session has ended, when the row can no longer be read.
    request.state.viewer = Viewer(id=user.id, name=user.name)
    request.state.csrf = csrf_token(secret)
    return user


@dataclass(frozen=True)
class Viewer:
    id: UUID
    name: str


PageUserDep = Annotated[User, Depends(page_user)]


async def mark_page(request: Request) -> None:
    """Errors of this route are answered as pages (app.pages.errors), not problem+json."""
    request.state.page = True
