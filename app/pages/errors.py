"""Errors of pages answered as pages, in the person's language: the one error family
(app.errors) renders them; this decides the HTML form of a page's error."""

from urllib.parse import quote

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from app.errors import AppError
from app.i18n import N_, translate
from app.pages.security import FORM_ORIGIN
from app.templating import PAGE_HEADERS, language_of, render

TITLES = {
    400: N_("Something is wrong with the request"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    422: N_("Something is wrong with the request"),
    429: N_("Too many attempts"),
}


def _is_page(request: Request) -> bool:
    if getattr(request.state, "page", False):
        return True
    # An address nothing answers, asked for by a browser: a page, not problem+json.
    api = request.app.state.settings.api_prefix
    wants_html = "text/html" in request.headers.get("accept", "")
    return wants_html and "route" not in request.scope and not request.url.path.startswith(api)


def sign_in_redirect(request: Request) -> Response:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/sign-in" if back == "/" else f"/sign-in?next={quote(back, safe='')}"
    return RedirectResponse(target, status_code=303, headers=PAGE_HEADERS)


def _refusal(request: Request, error: AppError) -> str | None:
    """Why a 403 was given, in the page's language: the API's words for the same rule."""
    if error.detail is None:
        return None
    return translate(error.detail, language_of(request), **error.params)


def page_error(request: Request, error: AppError) -> Response | None:
    """The page for an error of a page, or None for an API request."""
    if not _is_page(request):
        return None
    if error.status == 401:
        return sign_in_redirect(request)
    status = error.status if error.status in TITLES else 400
    origin = error.detail == FORM_ORIGIN
    context = {
        "status": status,
        "title": TITLES[status],
        "origin": origin,
        "refusal": _refusal(request, error) if status == 403 else None,
        "minutes": int(request.app.state.settings.sign_in_window_minutes),
    }
    response = render(request, "error.html", context, status=status)
    response.headers.update({k: v for k, v in error.headers.items() if k == "Retry-After"})
    return response
