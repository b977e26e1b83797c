"""Who holds a claim, and whether it still lives: a lock that dies with its process.

Each process has one holder id. While the process lives it holds a lock named by that id, and
the operating system or the database drops the lock the moment the process dies (SIGKILL
included), so another process can ask "is this holder alive?" without waiting out a timeout.
PostgreSQL: a session-level advisory lock on a connection of its own (a replica on any host
sees it). SQLite: an exclusive `flock` on a file beside the database (every process that opens
a SQLite file runs on its host). The choice:
docs/decisions/0011-idempotency-claims-held-by-a-live-process.md.
"""

import fcntl
import logging
import os
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

logger = logging.getLogger("pantau.holders")
LOCKED = "SELECT pg_try_advisory_lock(:key)"
FREE = "SELECT pg_try_advisory_xact_lock(:key)"  # let go when the asking transaction ends


class Holder(Protocol):
    id: str

    def hold(self) -> None:
        """Make sure this process's lock is held; called before each claim it records."""

    def alive(self, session: Session, holder_id: str) -> bool:
        """Whether the process that recorded `holder_id` still runs."""

    def release(self) -> None:
        """Give the lock up (the process is stopping)."""


def _new_id() -> str:
    return str(secrets.randbits(63))  # a PostgreSQL bigint advisory lock key


class PostgresHolder:
    def __init__(self, engine: Engine) -> None:
        self.id, self._engine = _new_id(), engine
        self._connection: Any = None  # a DBAPI connection taken out of the pool for good
        self._guard = threading.Lock()

    def hold(self) -> None:
        with self._guard:
            if self._holding():
                return
            self._drop()
            try:
                self._take()
            except self._engine.dialect.loaded_dbapi.Error as error:
                # The driver's own error, raw: wrapped as SQLAlchemy's, as every other
                # statement's is, so that an outage answers 503 like the rest.
                raise OperationalError(LOCKED, None, error) from error

    def _take(self) -> None:
        pooled = self._engine.raw_connection()
        pooled.detach()  # the lock lives as long as this connection: never pooled again
        self._connection = pooled.dbapi_connection
        self._connection.autocommit = True
        self._connection.execute(LOCKED.replace(":key", "%s"), (int(self.id),))

    def _holding(self) -> bool:
        """The lock's connection still answers (a restarted server dropped it, and the lock)."""
        if self._connection is None or self._connection.closed:
            return False
        try:
            self._connection.execute("SELECT 1")
        except Exception:
            logger.warning("holder lock connection lost; taking the lock again", exc_info=True)
            return False
        return True

    def alive(self, session: Session, holder_id: str) -> bool:
        free = session.exec(text(FREE).bindparams(key=int(holder_id)))  # type: ignore[call-overload]
        return not free.scalar_one()

    def _drop(self) -> None:
        if self._connection is not None and not self._connection.closed:
            self._connection.close()
        self._connection = None

    def release(self) -> None:
        with self._guard:
            self._drop()


class FileHolder:
    """An exclusive flock on `<database file>-holders/<id>.lock`."""

    def __init__(self, directory: Path) -> None:
        self.id, self._directory = _new_id(), directory
        self._fd: int | None = None
        self._guard = threading.Lock()

    def hold(self) -> None:
        with self._guard:
            if self._fd is not None:
                return
            self._directory.mkdir(parents=True, exist_ok=True)
            for left in self._directory.glob("*.lock"):  # files of processes killed earlier
                _dead(left)
            self._fd = os.open(self._directory / f"{self.id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def alive(self, session: Session, holder_id: str) -> bool:
        if not holder_id.isdigit():
            return False
        return not _dead(self._directory / f"{holder_id}.lock")

    def release(self) -> None:
        with self._guard:
            if self._fd is not None:
                (self._directory / f"{self.id}.lock").unlink(missing_ok=True)
                os.close(self._fd)
                self._fd = None


def _dead(path: Path) -> bool:
    """True (and the file removed) when no process holds the lock on `path`."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    path.unlink(missing_ok=True)
    return True


def holder_for(engine: Engine) -> Holder:
    if engine.dialect.name == "postgresql":
        return PostgresHolder(engine)
    database = engine.url.database
    if not database or database == ":memory:":
        directory = Path(tempfile.gettempdir()) / f"pantau-holders-{os.getpid()}"
        return FileHolder(directory)  # one process only: the lock is never asked about
    return FileHolder(Path(f"{Path(database).resolve()}-holders"))
