"""Standard Webhooks (https://www.standardwebhooks.com): the message's shape and its
signatures, by the reference package."""

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook as Signer

from app.models import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A random 192-bit signing secret in the `whsec_<base64>` form receivers expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def envelope(event_type: str, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The {type, timestamp, data} body every webhook message carries."""
    return {"type": event_type, "timestamp": now.isoformat(), "data": data}


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def retired_secret(webhook: Webhook, at: datetime) -> str | None:
    """The secret a rotation retired, while its overlap lasts at `at`; else None."""
    expires_at = webhook.previous_secret_expires_at
    if webhook.previous_secret is None or expires_at is None or expires_at <= at:
        return None
    return webhook.previous_secret


def headers(
    signing_secrets: Sequence[str], message_id: str, at: datetime, body: str
) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature for one attempt. Each secret adds a
    signature, separated by spaces as the standard says: a receiver accepts any one of them."""
    at = at.astimezone(UTC)  # the package reads the instant as UTC whatever its zone says
    signatures = [
        Signer(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in signing_secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
