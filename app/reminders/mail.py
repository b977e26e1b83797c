"""E-mail over SMTP: one connection per batch, plain text with an HTML alternative. Without an
SMTP host (the embedded default) each message goes to the log and to a .eml file instead, where
the person running Pantau sees it."""

import contextlib
import logging
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from uuid import UUID

from app.config import Settings
from app.ops.logging import redact

IMPLICIT_TLS_PORT = 465
logger = logging.getLogger("pantau.mail")


def compose(
    settings: Settings,
    *,
    to: str,
    name: str,
    subject: str,
    plain: str,
    html: str,
    message_key: UUID,
    at: datetime,
    locale: str,
    kind: str = "reminder",
) -> EmailMessage:
    """A message whose Message-ID is stable across retries, so a mail client shows a repeat
    delivery once."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = str(Address(display_name=name, addr_spec=to))
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    domain = settings.mail_from.rpartition("@")[2].strip(">") or "pantau.localhost"
    message["Message-ID"] = f"<{kind}-{message_key}@{domain}>"
    message["Content-Language"] = locale
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to reminders
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """`with Mailer(settings) as mailer: mailer.send(message)`: connects, logs in, sends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        s = self.settings
        if s.smtp_host is None:
            return self
        if s.smtp_port == IMPLICIT_TLS_PORT:
            context = ssl.create_default_context()
            self.smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            )
        else:
            self.smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            if s.smtp_tls:
                self.smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            self.smtp.login(s.smtp_user, s.smtp_password or "")
        return self

    def send(self, message: EmailMessage) -> None:
        if self.settings.smtp_host is None:
            write_to_folder(Path(self.settings.mail_folder), message)
            return
        assert self.smtp is not None, "use Mailer as a context manager"
        self.smtp.send_message(message)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def write_to_folder(folder: Path, message: EmailMessage) -> Path:
    """The message as an .eml file (any mail program opens one) and its text in the log."""
    folder.mkdir(parents=True, exist_ok=True)
    key = str(message["Message-ID"]).strip("<>").partition("@")[0]
    path = folder / f"{key}.eml"
    path.write_bytes(message.as_bytes())
    body = message.get_body(preferencelist=("plain",))
    plain = body.get_content() if isinstance(body, EmailMessage) else ""
    # A sign-in mail's link is a secret: the log shows the text, the file alone the link.
    logger.info("mail to %s: %s (%s)\n%s", message["To"], message["Subject"], path, redact(plain))
    return path


def announce(settings: Settings) -> None:
    """The line at start that says where mail goes when no SMTP server is configured."""
    if settings.smtp_host is None:
        folder = Path(settings.mail_folder).resolve()
        logger.warning(
            "PANTAU_SMTP_HOST is not set: mail is not sent but written to this log and to %s",
            folder,
        )
