"""Everything the service says in words, in the reader's language, from gettext catalogues.

Each language is one catalogue, `app/locales/<language>/LC_MESSAGES/messages.po`; a language is
supported when its catalogue is there. Messages are their English source text, marked where they
are written so `pybabel extract` finds them (docs/decisions/0012-gettext-catalogues.md):
`translate("...", language)` where the language is known, `N_("...")` or `plural(...)` where the
text is put into words later (an error raised in a service, rendered by the error handler).
"""

import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import HTTPConnection

from app.i18n.terms import ENTITIES, SCHEDULE_LABELS, STATUS_LABELS, VALIDATION_TYPES
from app.i18n.terms import N_ as N_

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE = "en"  # the language of the msgids, and the answer when no supported one is asked for


@dataclass(frozen=True)
class Plural:
    """A message that counts something: `n` names the parameter that holds the count."""

    singular: str
    plural: str
    n: str = "count"


Message = str | Plural


def plural(singular: str, plural: str, n: str = "count") -> Plural:
    return Plural(singular, plural, n)


def languages(directory: Path = LOCALES) -> tuple[str, ...]:
    """The languages with a catalogue in `directory`."""
    return tuple(sorted(path.parent.parent.name for path in directory.glob(f"*/*/{DOMAIN}.po")))


def load(path: Path) -> gettext.GNUTranslations:
    """One .po file as gettext translations, read at run time so a fresh clone has no build step."""
    with path.open("rb") as po:
        catalog = read_po(po)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


SUPPORTED = languages()


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of a supported language (the source language's otherwise), as
    `jinja2.Environment.install_gettext_translations` takes it."""
    if language not in SUPPORTED:
        language = SOURCE
    return load(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po")


def translate(message: Message, language: str, /, **params: object) -> str:
    """The message in `language`, its {placeholders} filled; an `entity` parameter (a resource
    name such as "task") is put into that language's word too."""
    catalogue = translations(language)
    if isinstance(message, Plural):
        count = params[message.n]
        assert isinstance(count, int)
        template = catalogue.ngettext(message.singular, message.plural, count)
    else:
        template = catalogue.gettext(message)
    entity = params.get("entity")
    if entity in ENTITIES:
        params["entity"] = catalogue.pgettext("entity", str(entity))
    return template.format(**params) if params else template


def status_label(status: str, language: str) -> str:
    return translations(language).pgettext("status", STATUS_LABELS[status])


def schedule_label(schedule: str, language: str) -> str:
    return translations(language).pgettext("schedule", SCHEDULE_LABELS[schedule])


def validation_message(error_type: str, english: str, language: str) -> str:
    """A pydantic error in `language`, by its type; pydantic's own English message otherwise
    (pydantic words its messages in English, with the offending values in them)."""
    if error_type not in VALIDATION_TYPES:
        return english
    translated = translations(language).pgettext("validation", error_type)
    return english if translated == error_type else translated


@dataclass(frozen=True)
class Phrase:
    """A message with its parameters, put into words once the reader's language is known."""

    message: Message
    params: Mapping[str, object] = field(default_factory=dict)

    def __call__(self, language: str) -> str:
        return translate(self.message, language, **self.params)


def negotiate(accept_language: str | None, default: str = SOURCE) -> str:
    """The best supported language of an Accept-Language header (RFC 9110 §12.5.4)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        primary = "id" if primary == "in" else primary  # "in" is the withdrawn code for Indonesian
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default


def default_of(connection: HTTPConnection) -> str:
    """The service's language (PANTAU_DEFAULT_LOCALE) for a request that asks for none we speak."""
    settings = getattr(connection.app.state, "settings", None)
    return str(getattr(settings, "default_locale", SOURCE))


def locale_of(connection: HTTPConnection) -> str:
    return negotiate(connection.headers.get("accept-language"), default_of(connection))
