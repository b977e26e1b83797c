"""Structured logs: one JSON object per line, with the extra fields a caller passed."""

import logging
import re
from datetime import UTC, datetime
from typing import Any

import orjson

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


# Secrets Pantau makes (app.auth.new_secret with these prefixes): a text that may hold one (a
# mail's body) is logged with them cut short.
SECRET = re.compile(r"\b(pnt|psl|pss)_[A-Za-z0-9_-]{16,}|\bwhsec_[A-Za-z0-9+/=]{16,}")


def redact(text: str) -> str:
    return SECRET.sub(lambda found: found.group()[:8] + "…", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """One readable line, with the extra fields as key=value (PANTAU_LOG_JSON=false)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        line = super().format(record)
        return f"{line} {extra}" if extra else line


def configure_logging(level: str, as_json: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger("pantau")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    if as_json:
        # uvicorn's own lines (start-up, errors) join the same stream in the same shape.
        for name in ("uvicorn", "uvicorn.error"):
            server = logging.getLogger(name)
            if server.handlers:
                server.handlers[:] = [handler]
