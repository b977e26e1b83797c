"""Sends one signed webhook request; the caller records the outcome."""

from dataclasses import dataclass
from datetime import datetime

import httpx

from app.config import Settings
from app.i18n import translate
from app.outbox import signing, ssrf

USER_AGENT = "Pantau-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


class WebhookSender:
    """Owns one HTTP client for a worker's lifetime. Redirects are not followed: a 3xx could
    point anywhere, past the address check."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client | None = None,
        resolver: ssrf.Resolver = ssrf.resolve,
    ) -> None:
        self.allowlist = settings.webhook_allowlist
        self.resolver = resolver
        self.client = client or httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
        )

    def close(self) -> None:
        self.client.close()

    def send(
        self,
        *,
        url: str,
        secret: str,
        message_id: str,
        body: str,
        at: datetime,
        retired_secret: str | None = None,
    ) -> Outcome:
        """One attempt, signed with `secret` and, during a rotation's overlap, with the
        `retired_secret` too (`signing.retired_secret`)."""
        try:
            target = ssrf.check(url, self.allowlist, self.resolver)
        except ssrf.Refused as refused:
            reason = translate(refused.message, "en", address=refused.address)
            return Outcome(ok=False, error=f"refused: {reason}")
        signing_secrets = [secret] if retired_secret is None else [secret, retired_secret]
        request_headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": target.url.netloc.decode("ascii"),
            **signing.headers(signing_secrets, message_id, at, body),
        }
        extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
        try:
            response = self.client.post(
                target.pinned_url(),
                content=body.encode(),
                headers=request_headers,
                extensions=extensions,
            )
        except httpx.HTTPError as error:
            return Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:500])
        if response.is_success:
            return Outcome(ok=True, status_code=response.status_code)
        return Outcome(
            ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}"
        )
