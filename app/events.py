"""Domain events, published inside the writing transaction.

A service that changes a task calls `publish`; subscribers (the webhook outbox) add their rows
to the same session, so an event is recorded if and only if the change commits.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

# (event type, payload)
Event = tuple[str, dict[str, Any]]
# Takes the events of one write, in order: one, or many for a bulk write (an import).
Subscriber = Callable[[Session, list[Event], datetime], None]

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_STATUS_CHANGED = "task.status_changed"
TASK_DELETED = "task.deleted"

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(session: Session, event_type: str, payload: dict[str, Any], now: datetime) -> None:
    publish_many(session, [(event_type, payload)], now)


def publish_many(session: Session, published: list[Event], now: datetime) -> None:
    """`publish` of many events at once: each subscriber gets them all in one call."""
    if not published:
        return
    for subscriber in _subscribers:
        subscriber(session, published, now)
