"""Server-Sent Events of the change feed.

Each process follows the change table once (DataWatcher: a refresh thread, woken by NOTIFY on
PostgreSQL) and keeps the newest changes; its clients are served from that buffer, so a client
costs no database connection while it waits. A client that resumes from further back than the
buffer reaches reads the table directly, one short query per page, until it has caught up.
"""

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Callable
from types import FrameType

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.changes import service as changes
from app.clock import Clock
from app.live import feed
from app.live.watcher import DataWatcher
from app.ops.metrics import FEED_LAG, SSE_CLIENTS

CATCH_UP_PAGE = 200
RETRY_MILLISECONDS = 3000


class ChangeHub:
    """Wakes the event streams of this process when the watcher sees new changes."""

    def __init__(self, watcher: DataWatcher, clock: Clock) -> None:
        self.watcher = watcher
        self.clock = clock
        self.closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.watcher.on_change(self._from_watcher)

    def _from_watcher(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def waiter(self) -> asyncio.Event:
        return self._changed

    def close(self) -> None:
        """End every stream: the server is shutting down."""
        self.closing = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake_all)


def chain_exit_signals(on_exit: Callable[[], None]) -> None:
    """Run `on_exit` on SIGINT/SIGTERM before the server's own handler.

    uvicorn waits for open responses before it shuts the application down, and an event stream
    never ends by itself; this tells the streams first, so a shutdown is not held up by them.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(number)
        if not callable(previous):
            continue

        def handler(
            signum: int, frame: FrameType | None, previous: Callable[..., object] = previous
        ) -> None:
            on_exit()
            previous(signum, frame)

        signal.signal(number, handler)


def start_position(watcher: DataWatcher) -> int:
    """Where a stream that names no position starts: now."""
    snapshot = watcher.latest()
    if snapshot is not None:
        return snapshot.covered
    with Session(watcher.engine) as session:
        return changes.current_version(session)


def _catch_up(engine: Engine, after: int) -> list[feed.FeedItem]:
    with Session(engine) as session:
        return [feed.item(row) for row in feed.read(session, after=after, limit=CATCH_UP_PAGE)]


def _frame(item: feed.FeedItem, body: bytes) -> bytes:
    return b"id: %d\nevent: change\ndata: %s\n\n" % (item.seq, body)


async def events(
    hub: ChangeHub,
    *,
    after: int,
    audience: feed.Audience,
    token_hash: str | None,
    heartbeat_seconds: float,
) -> AsyncIterator[bytes]:
    """The stream of one client: changes after `after`, then each new one as it commits."""
    SSE_CLIENTS.inc()
    try:
        yield b"retry: %d\n\n" % RETRY_MILLISECONDS
        follower = _Follower(hub, after, audience, token_hash)
        while not hub.closing and follower.authorised():
            waiter = hub.waiter()  # taken before reading, so no wake-up falls in between
            batch = await follower.next_batch()
            if batch is not None:
                if batch:
                    yield batch
                continue
            try:
                await asyncio.wait_for(waiter.wait(), heartbeat_seconds)
            except TimeoutError:
                yield b": heartbeat\n\n"
    finally:
        SSE_CLIENTS.dec()


class _Follower:
    def __init__(
        self, hub: ChangeHub, after: int, audience: feed.Audience, token_hash: str | None
    ) -> None:
        self.hub = hub
        self.after = after
        self.audience = audience
        self.token_hash = token_hash
        snapshot = hub.watcher.latest()
        self.since_version = snapshot.version if snapshot else 0

    async def next_batch(self) -> bytes | None:
        """The frames of the changes after the last one sent (b"" when none is for this
        audience); None when there is nothing new."""
        snapshot = self.hub.watcher.latest()
        items = snapshot.after(self.after) if snapshot else None
        if items is None:
            items = await run_in_threadpool(_catch_up, self.hub.watcher.engine, self.after)
        if not items:
            return None
        self.after = items[-1].seq
        FEED_LAG.set(max(0.0, (self.hub.clock.now() - items[-1].at).total_seconds()))
        return b"".join(
            _frame(item, body) for item in items if (body := item.body_for(self.audience))
        )

    def authorised(self) -> bool:
        """A token revoked (or expired, or its user deactivated) since the stream began ends it."""
        snapshot = self.hub.watcher.latest()
        if self.token_hash is None or snapshot is None or snapshot.version <= self.since_version:
            return True
        grant = snapshot.tokens.get(self.token_hash)
        return grant is not None and grant.valid(self.hub.clock.now())
