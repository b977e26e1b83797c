"""Standard Webhooks signatures (https://www.standardwebhooks.com), by the reference package."""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A random 192-bit signing secret in the `whsec_<base64>` form receivers expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature for one attempt."""
    at = at.astimezone(UTC)  # the package reads the instant as UTC whatever its zone says
    signature: str = Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
