"""Domain events, published inside the writing transaction.

A service that changes a task calls `publish`; subscribers (the webhook outbox) add their rows
to the same session, so an event is recorded if and only if the change commits.
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.changes import service as changes

# (event type, payload)
Event = tuple[str, dict[str, Any]]
# Takes the events of one write, in order: one, or many for a bulk write (an import); gives the
# version scopes (app.changes.bump) of the collections its rows changed, which the publisher
# moves (`settle`).
Subscriber = Callable[[Session, Sequence[Event], datetime], Collection[str]]

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_STATUS_CHANGED = "task.status_changed"
TASK_DELETED = "task.deleted"

_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(session: Session, event_type: str, payload: dict[str, Any], now: datetime) -> None:
    settle(session, publish_many(session, [(event_type, payload)], now))


def publish_many(session: Session, published: Sequence[Event], now: datetime) -> set[str]:
    """`publish` of many events at once: each subscriber gets them all in one call. Gives the
    version scopes the subscribers' rows moved, for `settle`: a bulk writer settles them last,
    after the change feed's own bump, as every writer takes those row locks in that order."""
    moved: set[str] = set()
    if not published:
        return moved
    for subscriber in _subscribers:
        moved.update(subscriber(session, published, now))
    return moved


def settle(session: Session, moved: Iterable[str]) -> None:
    """Move the versions of these scopes. Each one's row stays locked until the transaction
    ends (app.changes.bump): take them after every other shared lock of the write, the feed's
    own (the data scope) included."""
    for scope in sorted(moved):
        changes.bump(session, scope)
