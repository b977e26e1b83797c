"""Every log record the suite makes, searched for secrets at the end of the run: tokens,
webhook secrets, sign-in links and session ids, passwords. Records are taken as they are
made (a log record factory), so loggers that do not propagate to the root (Pantau's own) are
seen too. With pytest-xdist each worker searches its own records and the controller judges."""

import logging
import re
from typing import Any

SECRET = re.compile(
    r"pnt_[A-Za-z0-9_-]{32,}"  # API tokens (app.auth.new_secret)
    r"|whsec_[A-Za-z0-9+/=]{24,}"  # webhook secrets
    r"|ps[ls]_[A-Za-z0-9_-]{32,}"  # sign-in links and session ids
    r"|(?i:password)[\"']?\s*[:=]\s*[\"']?(?!\*|None\b|null\b|[\"'])[^\s\"',}]+"
)
KEY = "pantau_log_leaks"


class LeakFinder:
    def __init__(self) -> None:
        self.leaks: list[str] = []
        self._make = logging.getLogRecordFactory()

    def install(self) -> None:
        logging.setLogRecordFactory(self._record)

    def _record(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._make(*args, **kwargs)
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        found = SECRET.search(text)
        if found:
            shown = found.group()[:10] + "…"  # enough to find it, not enough to use it
            self.leaks.append(
                f"{record.name}: …{text[max(0, found.start() - 60) : found.start()]}{shown}"
            )
        return record
