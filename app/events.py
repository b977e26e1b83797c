"""Domain events, published inside the writing transaction.

A service that changes a task calls `publish`; subscribers (the webhook outbox) add their rows
to the same session, so an event is recorded if and only if the change commits.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

Subscriber = Callable[[Session, str, dict[str, Any], datetime], None]

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_STATUS_CHANGED = "task.status_changed"
TASK_DELETED = "task.deleted"

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(session: Session, event_type: str, payload: dict[str, Any], now: datetime) -> None:
    for subscriber in _subscribers:
        subscriber(session, event_type, payload, now)
