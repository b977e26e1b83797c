"""Headers every answer carries, and CORS for the origins an operator names.

Pure ASGI, outermost, so answers of the poll fast path and of errors carry them too. A header
an answer sets itself (a page's own Content-Security-Policy or Referrer-Policy) is kept.
"""

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

# Pantau's own pages (the dashboard, the pages, /docs) run only their own script and styles.
HTML_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000"
# What a browser script of another origin may send and read (DESIGN.md's headers).
CORS_HEADERS = [
    "Authorization", "Content-Type", "Accept-Language", "If-Match", "If-None-Match",
    "Idempotency-Key", "Last-Event-ID",
]  # fmt: skip
CORS_EXPOSED = ["ETag", "Link", "Location", "Retry-After", "Idempotent-Replayed"]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, with_headers)

    def _add(self, headers: MutableHeaders) -> None:
        for name, value in ALWAYS.items():
            headers.setdefault(name, value)
        if headers.get("content-type", "").startswith("text/html"):
            headers.setdefault("Content-Security-Policy", HTML_POLICY)
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost: CORS (only with PANTAU_CORS_ORIGINS), and around it the security headers.
    Call last, after the poll fast path is installed."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"))
