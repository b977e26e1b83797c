"""The settings of tests that send real mail and call real webhook receivers: mail goes to the
test's SMTP server (aiosmtpd, `smtp`), webhooks may call 127.0.0.1, where `receiver` listens.
A conftest that wants them imports `settings` (and `smtp`) from here."""

from ipaddress import ip_network

import pytest

from app.config import Settings
from tests.reminders.servers import Inbox, smtp

__all__ = ["settings", "smtp"]


@pytest.fixture
def settings(settings: Settings, smtp: Inbox) -> Settings:
    """The suite's settings (tests/conftest.py), with mail to `smtp` and webhooks to 127.0.0.1."""
    allowed = [ip_network("127.0.0.1/32")]
    changes = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "webhook_allowlist": allowed}
    return settings.model_copy(update=changes)
