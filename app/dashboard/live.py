"""Wiring of the per-process live state: the data watcher, its NOTIFY listener and the hub of
event streams, started and stopped with the application."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from app.clock import Clock
from app.config import Settings
from app.dashboard.fastpath import PollFastPath, pollable
from app.dashboard.stream import ChangeHub, chain_exit_signals
from app.live.watcher import DataWatcher, listen


@dataclass
class Live:
    watcher: DataWatcher
    hub: ChangeHub


def create(engine: Engine, settings: Settings, clock: Clock) -> Live:
    watcher = DataWatcher(engine, refresh_seconds=settings.data_version_refresh_seconds)
    return Live(watcher=watcher, hub=ChangeHub(watcher, clock))


def install(app: FastAPI, live: Live, routers: Iterable[tuple[str, APIRouter]]) -> None:
    """Put the poll fast path in front of everything, for the polled routes of `routers` (each
    with the prefix the app includes it under)."""
    app.state.live = live
    app.add_middleware(
        PollFastPath,
        watcher=live.watcher,
        clock=app.state.clock,
        settings=app.state.settings,
        routes=pollable(routers),
    )


@contextlib.asynccontextmanager
async def running(live: Live) -> AsyncIterator[None]:
    live.hub.attach(asyncio.get_running_loop())
    live.watcher.start()
    engine = live.watcher.engine
    listener = (
        asyncio.create_task(listen(engine, live.watcher.poke))
        if engine.dialect.name == "postgresql"
        else None
    )
    chain_exit_signals(live.hub.close)
    try:
        yield
    finally:
        live.hub.close()
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        await asyncio.to_thread(live.watcher.stop)
