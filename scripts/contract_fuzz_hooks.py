"""Schemathesis hooks for scripts/contract-fuzz.

A client sends a new Idempotency-Key with each new request; a fuzzer draws keys such as "0"
again and again, and reusing a key for a different request is rightly refused (422). So a
well-formed key is made unique here, as a client's is; a malformed one is sent as drawn.
"""

import re
import uuid
from typing import Any

import schemathesis

KEY = re.compile(r"^[!-~]{1,200}$")  # app.idempotency.KEY


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and KEY.match(key):
        case.headers["Idempotency-Key"] = f"{key[:160]}-{uuid.uuid4()}"
