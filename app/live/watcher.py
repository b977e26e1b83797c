"""What each API process knows of the database between requests: the data version, the live
tokens and the newest changes, refreshed by one thread (and, on PostgreSQL, woken by NOTIFY).

Nothing here is a source of truth. A snapshot older than `stale_after`, or taken before a write
this process answered, is not used, so a poll falls through to the routes, which ask the
database; every replica learns of a commit anywhere within one refresh period.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.changes import service as changes
from app.live import feed
from app.models import ApiToken, User

logger = logging.getLogger("pantau.dashboard")
BUFFER_SIZE = 1000


@dataclass(frozen=True)
class Grant:
    """A live token: its user (detached, shared by the requests that read with it: never
    modified nor added to a session) and its expiry."""

    user: User
    expires_at: datetime | None

    def valid(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class Snapshot:
    version: int
    tokens: Mapping[str, Grant]  # by the hash of every live token of an active user
    items: tuple[feed.FeedItem, ...]  # the newest changes, oldest first
    floor: int  # `items` hold every change with floor < seq <= covered
    covered: int
    generation: int
    checked_at: float

    def after(self, seq: int) -> list[feed.FeedItem] | None:
        """The buffered changes after `seq`, or None when the buffer does not reach back."""
        if seq < self.floor:
            return None
        return [item for item in self.items if item.seq > seq]


class DataWatcher:
    def __init__(self, engine: Engine, *, refresh_seconds: float) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.stale_after = max(1.0, 2 * refresh_seconds)
        self._snapshot: Snapshot | None = None
        self._generation = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the watcher's thread) whenever the data version moves."""
        self._listeners.append(listener)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pantau-data-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def poke(self) -> None:
        self._wake.set()

    def invalidate(self) -> None:
        """This process answered a write: distrust the snapshot until the next refresh."""
        self._generation += 1
        self._wake.set()

    def current(self) -> Snapshot | None:
        """The snapshot, when it is recent enough to answer for the database."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.generation != self._generation:
            return None
        if time.monotonic() - snapshot.checked_at > self.stale_after:
            return None
        return snapshot

    def latest(self) -> Snapshot | None:
        """The last snapshot taken, however old: enough to follow the feed by."""
        return self._snapshot

    def _run(self) -> None:
        failing = False
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.refresh()
                failing = False
            except Exception:  # the database may be down: polls fall through until it is back
                if not failing:  # once per outage, not twice a second
                    logger.warning("data version refresh failed", exc_info=True)
                failing = True
            self._wake.wait(self.refresh_seconds)

    def refresh(self) -> Snapshot:
        generation = self._generation
        with Session(self.engine) as session:
            # The version is read first: tokens and changes read after it are at least as new.
            version = changes.current_version(session)
            before = self._snapshot
            if before is not None and before.version == version <= before.covered:
                snapshot = _renewed(before, generation)
            else:
                snapshot = _taken(session, before, version, generation)
        self._snapshot = snapshot
        if before is None or before.covered != snapshot.covered:
            for listener in self._listeners:
                listener()
        if snapshot.covered < snapshot.version:
            self._wake.set()  # more changes than one read takes: read on at once
        return snapshot


def _renewed(before: Snapshot, generation: int) -> Snapshot:
    return Snapshot(
        before.version,
        before.tokens,
        before.items,
        before.floor,
        before.covered,
        generation,
        time.monotonic(),
    )


def _taken(session: Session, before: Snapshot | None, version: int, generation: int) -> Snapshot:
    tokens = _live_tokens(session)
    if before is None or version < before.covered:  # first read, or a database emptied
        return Snapshot(version, tokens, (), version, version, generation, time.monotonic())
    rows = feed.read(session, after=before.covered, limit=BUFFER_SIZE)
    items = (*before.items, *(feed.item(row) for row in rows))
    kept = items[-BUFFER_SIZE:]
    floor = items[len(items) - len(kept) - 1].seq if len(kept) < len(items) else before.floor
    # A full read may have left changes behind; otherwise everything up to `version` is here.
    newest = rows[-1].seq if rows else before.covered
    covered = newest if len(rows) == BUFFER_SIZE else max(version, newest)
    return Snapshot(version, tokens, kept, floor, covered, generation, time.monotonic())


def _live_tokens(session: Session) -> dict[str, Grant]:
    statement = (
        select(ApiToken.token_hash, ApiToken.expires_at, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.revoked_at).is_(None), col(User.active))
    )
    grants = {
        token_hash: Grant(user, expires_at)
        for token_hash, expires_at, user in session.exec(statement)
    }
    session.expunge_all()  # the users outlive this session, as plain values
    return grants


async def listen(engine: Engine, wake: Callable[[], None], *, retry_seconds: float = 1.0) -> None:
    """Wake the watcher on every NOTIFY of a commit anywhere (PostgreSQL); runs until cancelled."""
    _args, params = engine.dialect.create_connect_args(engine.url)
    while True:
        try:
            await _listen_once(params, wake)
        except (psycopg.Error, OSError) as error:
            logger.info("change listener reconnecting: %s", error)
        await asyncio.sleep(retry_seconds)


async def _listen_once(params: Mapping[str, Any], wake: Callable[[], None]) -> None:
    connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
    async with connection:
        await connection.execute(f"LISTEN {changes.NOTIFY_CHANNEL}")
        wake()  # changes made while we were not listening
        async for _notice in connection.notifies():
            wake()
