from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session

from app import events


@pytest.fixture
def published() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The domain events published while the test runs, as (type, payload)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(_session: Session, published: Sequence[events.Event], _now: datetime) -> set[str]:
        seen.extend(published)
        return set()  # no version moved

    events.subscribe(record)
    yield seen
    events._subscribers.remove(record)  # no public unsubscribe: subscribers live for the process
