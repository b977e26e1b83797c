"""Jinja2 templates for the pages: they only present what a route hands them. Autoescaping is
on for every template, so user text is escaped unless a template says otherwise (none does)."""

from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.responses import Response

from app.i18n import N_, SUPPORTED, locale_of, translations

TEMPLATES = Path(__file__).parent / "pages" / "templates"
STATIC = Path(__file__).parent / "pages" / "static"
LANGUAGE_COOKIE = "pantau_lang"

# The pages run no inline script and load nothing from elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@pass_context
def _gettext(context: Context, message: str) -> str:
    catalogue: NullTranslations = context["translations"]
    return catalogue.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    catalogue: NullTranslations = context["translations"]
    return catalogue.ngettext(singular, plural, n)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The language is the request's: the callables read it from the template's context.
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return environment


templates = Jinja2Templates(env=_environment())


def language_of(request: Request) -> str:
    """The page's language: the switch's cookie, else the browser's Accept-Language, else the
    service's (PANTAU_DEFAULT_LOCALE)."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in SUPPORTED:
        return chosen
    return locale_of(request)


# English msgids of the values the pages show in words, marked for the catalogues.
VALUE_LABELS = {
    "status": {
        "not_started": N_("not started"),
        "in_progress": N_("in progress"),
        "blocked": N_("blocked"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
    },
    "schedule": {
        "no_due_date": N_("no due date"),
        "on_track": N_("on track"),
        "due_soon": N_("due soon"),
        "overdue": N_("overdue"),
        "done": N_("done"),
    },
    "report": {
        "draft": N_("draft"),
        "submitted": N_("submitted"),
        "accepted": N_("accepted"),
        "returned": N_("returned"),
    },
    "priority": {
        "low": N_("low"),
        "medium": N_("medium"),
        "high": N_("high"),
        "critical": N_("critical"),
    },
}


@cache
def labels(language: str) -> dict[str, dict[str, str]]:
    """The values' words in the language, once per language, not once per row shown."""
    gettext = translations(language).gettext
    return {
        kind: {value: gettext(msgid) for value, msgid in values.items()}
        for kind, values in VALUE_LABELS.items()
    }


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    language = language_of(request)
    values = {
        "language": language,
        "translations": translations(language),
        "labels": labels(language),
        "user": getattr(request.state, "viewer", None),
        "csrf": getattr(request.state, "csrf", None),
        "here": request.url.path,
        "api": request.app.state.settings.api_prefix,  # where the pages link to the API
        # times are shown in the zone where the plans are run, as `schedule` reckons days
        "zone": ZoneInfo(request.app.state.settings.default_time_zone),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers.update(PAGE_HEADERS)
    response.headers["Content-Language"] = language
    return response
