"""The sign-in e-mail, in the person's language, sent right after the request commits."""

import logging
import smtplib
from datetime import datetime
from html import escape
from urllib.parse import urlencode
from uuid import uuid4

from app.config import Settings
from app.i18n import translations
from app.reminders.mail import Mailer, compose
from app.signin.service import Link

logger = logging.getLogger("pantau.signin")


def link_url(settings: Settings, secret: str, next_path: str) -> str:
    query = {"token": secret, **({"next": next_path} if next_path != "/" else {})}
    return f"{settings.public_url.rstrip('/')}/sign-in/link?{urlencode(query)}"


def message_text(settings: Settings, link: Link, url: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the message."""
    _ = translations(link.user.locale.value).gettext
    minutes = int(settings.sign_in_link_minutes)
    hello = _("Hello %(name)s,") % {"name": link.user.name}
    body = _("Open this link to sign in to Pantau. It works once, for %(minutes)s minutes.") % {
        "minutes": minutes
    }
    ignore = _("If you did not ask for it, ignore this message.")
    plain = f"{hello}\n\n{body}\n\n{url}\n\n{ignore}\n"
    html = (
        f"<p>{escape(hello)}</p><p>{escape(body)}</p>"
        f'<p><a href="{escape(url)}">{escape(_("Sign in to Pantau"))}</a></p>'
        f"<p>{escape(ignore)}</p>"
    )
    return _("Sign in to Pantau"), plain, html


def send(settings: Settings, link: Link, next_path: str, now: datetime) -> None:
    """Send the link (a background task: the request has committed and answered). A failure
    is logged without the link; the person asks again."""
    subject, plain, html = message_text(settings, link, link_url(settings, link.secret, next_path))
    message = compose(
        settings,
        to=link.user.email,
        name=link.user.name,
        subject=subject,
        plain=plain,
        html=html,
        message_key=uuid4(),
        at=now,
        locale=link.user.locale.value,
        kind="sign-in",
    )
    try:
        with Mailer(settings) as mailer:
            mailer.send(message)
    except (smtplib.SMTPException, OSError) as failure:
        logger.warning("sign-in mail not sent: %s", type(failure).__name__)
