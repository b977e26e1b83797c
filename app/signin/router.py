"""The sign-in pages: ask for a link, open it (a button: mail scanners open links too), sign
out. The link and session secrets travel in the query, the form body and the cookie, never in
a path, so the access log (which logs paths) never holds them."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from app.auth import SESSION_COOKIE
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.pages.security import check_csrf, check_origin, local_path, mark_page
from app.signin import mail, service
from app.templating import PAGE_HEADERS, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

Email = Annotated[str, Form(min_length=3, max_length=320)]
Secret = Annotated[str, Form(min_length=1, max_length=100)]
NextField = Annotated[str, Form(max_length=2000)]
NextQuery = Annotated[str, Query(max_length=2000)]


@router.get("/sign-in")
def sign_in_page(request: Request, next: NextQuery = "/") -> Response:
    return render(request, "sign_in.html", {"next": local_path(next)})


@router.post("/sign-in")
def ask_for_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    background: BackgroundTasks,
    email: Email,
    next: NextField = "/",
) -> Response:
    """The same page whether the address is known or not; the mail goes after the commit."""
    check_origin(request)
    client = service.client_key(request.client.host if request.client else None)
    now = clock.now()
    link = service.request_link(session, email, client, now=now, settings=settings)
    if link is not None:
        background.add_task(mail.send, settings, link, local_path(next), now)
    return render(request, "link_sent.html", {"email": email.strip()})


@router.get("/sign-in/link")
def link_page(
    request: Request, token: Annotated[str, Query(max_length=100)] = "", next: NextQuery = "/"
) -> Response:
    """A button, not a sign-in: opening the link signs nobody in (scanners open links)."""
    return render(request, "sign_in_link.html", {"token": token, "next": local_path(next)})


@router.post("/sign-in/link")
async def use_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    token: Secret,
    next: NextField = "/",
) -> Response:
    check_origin(request)
    secret = await run_in_threadpool(
        service.redeem, session, token, now=clock.now(), settings=settings
    )
    if secret is None:
        return render(request, "link_refused.html", status=400)
    response = RedirectResponse(local_path(next), status_code=303, headers=PAGE_HEADERS)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(settings.session_max_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https:"),
        path="/",
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """Ends the session on the server too: the cookie alone would outlive a copy of it."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        await check_csrf(request, secret)
        await run_in_threadpool(service.end_session, session, secret, clock.now())
    response = RedirectResponse("/sign-in", status_code=303, headers=PAGE_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
