"""Engines, sessions and the commit boundary.

One request or one job is one transaction, committed here and nowhere else: services flush.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    if database_url.startswith("sqlite"):
        return _sqlite_engine(database_url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)  # a restarted server is noticed, not surfaced
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", 5)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("connect_timeout", 3)
    return create_engine(database_url, connect_args=connect_args, **kwargs)


def _sqlite_engine(database_url: str, **kwargs: Any) -> Engine:
    engine = create_engine(
        database_url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks savepoints; we emit BEGIN
        # ourselves (below), so autocommit mode is set on the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A write transaction takes the write lock up front: a deferred one that reads and then
        # writes fails at once with SQLITE_BUSY when another writer committed in between.
        write = connection.get_execution_options().get("pantau_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session whose work is committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={"pantau_write": write})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    with unit_of_work(get_engine(request), write=request.method not in SAFE_METHODS) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit becomes an
# error response instead of a 200 for work that was lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
