"""Engines, sessions and the commit boundary.

One request or one job is one transaction, committed here and nowhere else: services flush.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, TypeVar
from uuid import UUID

import anyio
from fastapi import Depends, Request
from sqlalchemy import (
    ARRAY,
    ClauseElement,
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Insert,
    String,
    Table,
    Uuid,
    any_,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import NamedFromClause
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.clock import today_of_request
from app.contract import answers

T = TypeVar("T")
# Values in one IN list: far below what SQLite and PostgreSQL take in one statement.
CHUNK = 2000
WORK_DAY = "pantau_work_day"  # session.info key: the day a unit of work's writes are reckoned on
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POOL_SIZE, MAX_OVERFLOW = 10, 10  # PostgreSQL connections per process, and the extra allowed
CHECKED = "pantau_nul_checked"  # execution option: `prepare` refused NUL in these rows already


@dataclass(frozen=True)
class Prepared:
    """A bulk statement and its rows, made ready by `prepare` before a transaction starts and
    sent in it by `execute_prepared`."""

    statement: ClauseElement
    rows: list[Any]
    sql: str | None = None  # what is sent instead, its rows converted as the driver takes them
    copy: bool = False  # `sql` is PostgreSQL's COPY FROM STDIN


def prepare(dialect: Dialect, statement: ClauseElement, rows: list[dict[str, Any]]) -> Prepared:
    """Make a statement of many rows (an insert or an update bound by name) ready to send: it is
    compiled and each row's values are converted by their types, as executing it would, so
    that a bulk writer converts a hundred thousand values before its transaction starts, not
    in it. Every value the statement binds must be in the rows (no column default is filled
    in). Text holding a NUL is refused here (DataError), on both databases, as PostgreSQL
    refuses it in any statement.

    On SQLite, whose one writer everybody waits for, the compiled statement is sent as it is.
    On PostgreSQL a plain insert becomes a COPY: psycopg 3 sends an executemany as one
    statement a row (pipelined), and a 10,000-row import spent most of its writing there. Any
    other statement goes to SQLAlchemy as it is, for psycopg's pipelined executemany."""
    if not rows or dialect.name not in {"sqlite", "postgresql"}:
        return Prepared(statement, rows)
    copy = dialect.name == "postgresql"
    table = _plain_insert_into(statement)
    if copy and table is None:
        return Prepared(statement, rows)
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]), for_executemany=True)
    assert isinstance(compiled, SQLCompiler)
    bound = list(compiled.binds) if copy else list(compiled.positiontup or ())
    if compiled.escaped_bind_names or not set(bound) <= rows[0].keys():
        raise ValueError(f"unbound or renamed values in: {compiled.string}")
    names = list(rows[0]) if copy else bound  # COPY takes the columns in the rows' order
    if copy and (len(names) != len(bound) or compiled.effective_returning):
        raise ValueError(f"not a plain insert of the rows' values: {compiled.string}")
    converts = [
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in names
    ]
    converted = [
        tuple(row[name] if convert is None else convert(row[name]) for name, convert in converts)
        for row in rows
    ]
    if _holds_nul([value for row in converted for value in row]):
        raise DataError(compiled.string, None, ValueError("NUL character in text"))
    if table is None or not copy:
        return Prepared(statement, converted, compiled.string)
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(table.c[name].name) for name in names)
    sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    return Prepared(statement, converted, sql, copy=True)


def _plain_insert_into(statement: ClauseElement) -> Table | None:
    """The table a plain insert writes to: the generic construct (a dialect's own adds ON
    CONFLICT), into a table."""
    if type(statement) is Insert and isinstance(statement.table, Table):
        return statement.table
    return None


def execute_prepared(connection: Connection, prepared: Prepared) -> None:
    if not prepared.rows:
        return
    if prepared.sql is None:
        connection.execute(prepared.statement, prepared.rows)  # type: ignore[call-overload]
    elif prepared.copy:
        _copy(connection, prepared.sql, prepared.rows)
    else:
        options = {CHECKED: True}
        connection.exec_driver_sql(prepared.sql, prepared.rows, execution_options=options)


def _copy(connection: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows in the connection's transaction. It bypasses SQLAlchemy's execution, so the
    engine's statement listeners are told of it here, and its driver errors are raised as
    SQLAlchemy's (the error family app.errors answers)."""
    driver = connection.connection.dbapi_connection
    try:
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            connection.dispatch.before_cursor_execute(connection, cursor, sql, rows, None, True)
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            sql, None, error, connection.dialect.loaded_dbapi.Error
        ) from error


def among(
    dialect: Dialect, column: ColumnElement[UUID] | Mapped[UUID], ids: Sequence[UUID]
) -> ColumnElement[bool]:
    """`column IN ids` with the ids in one parameter, however many: an array on PostgreSQL, a
    JSON array that SQLite reads with json_each. A bulk write's 10,000 ids in IN lists took
    twice the time of the query they filter, in SQLAlchemy's expansion and SQLite's lookup
    table, while every other writer waited."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid())))
    # The hex form in which SQLAlchemy's Uuid stores an id where there is no native type.
    listed = func.json_each(bindparam(None, json.dumps([value.hex for value in ids])))
    return column.in_(select(listed.table_valued("value").c.value))


def numbered(dialect: Dialect, items: Sequence[tuple[UUID, str]]) -> NamedFromClause:
    """A table of (id, label) pairs in one parameter, with each one's `position` in `items`
    from 0: unnest WITH ORDINALITY on PostgreSQL, json_each on SQLite (see `among`)."""
    if dialect.name == "postgresql":
        ids = bindparam(None, [item[0] for item in items], type_=ARRAY(Uuid()))
        labels = bindparam(None, [item[1] for item in items], type_=ARRAY(String()))
        table = (
            func.unnest(ids, labels)
            .table_valued("id", "label", with_ordinality="ordinal")
            .render_derived(name="listed")
        )
        return select((table.c.ordinal - 1).label("position"), table.c.id, table.c.label).subquery(
            "numbered"
        )
    pairs = json.dumps([[item[0].hex, item[1]] for item in items])
    each = func.json_each(bindparam(None, pairs)).table_valued("key", "value")
    return select(
        each.c.key.label("position"),
        func.json_extract(each.c.value, "$[0]").label("id"),
        func.json_extract(each.c.value, "$[1]").label("label"),
    ).subquery("numbered")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """The values in slices of at most `size`, for IN lists of bulk reads and writes."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    if database_url.startswith("sqlite"):
        return _sqlite_engine(database_url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)  # a restarted server is noticed, not surfaced
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", MAX_OVERFLOW)
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
        # 32 MiB of page cache (the default is 2): a bulk write's pages stay in memory until
        # its commit instead of spilling to the log on the way, in the lock every writer
        # waits for. Pages are cached as they are used, so a small database uses less.
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_nul(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        # PostgreSQL refuses text holding a NUL character, SQLite would keep it: refused here
        # too, the same value gets the same answer (422, app.errors) on both. Rows `prepare`
        # made were looked at before their transaction began.
        if context is not None and context.execution_options.get(CHECKED):
            return
        if _holds_nul(_values(parameters, many)):
            raise DataError(statement, parameters, ValueError("NUL character in text"))

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A write transaction takes the write lock up front: a deferred one that reads and then
        # writes fails at once with SQLITE_BUSY when another writer committed in between.
        # A unit of work that only reads begins none: its statements read on their own (_bound).
        write = connection.get_execution_options().get("pantau_write")
        if write is not False:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _values(parameters: Any, many: bool) -> list[Any]:
    """Every value of a statement's parameters: a mapping or a sequence, or a list of them
    (executemany)."""
    values: list[Any] = []
    for row in parameters if many else (parameters,):
        if isinstance(row, dict):
            values.extend(row.values())
        elif isinstance(row, list | tuple):
            values.extend(row)
        else:
            values.append(row)
    return values


def _holds_nul(values: list[Any]) -> bool:
    """Whether a text value holds a NUL character: one search, at C speed, of the text values
    joined. Searching the repr of all the values instead took five times as long, and ten
    times as long with the change feed's documents among them, since repr escapes each
    character."""
    return "\x00" in "".join([value for value in values if isinstance(value, str)])


@cache
def _bound(engine: Engine, write: bool) -> Engine:
    """The engine as a unit of work uses it. The options reach the "begin" listener above when
    the session first connects, so a session is opened without touching the database.

    A reader runs without a transaction (autocommit), as PostgreSQL's default READ COMMITTED
    reads anyway: each statement sees what was committed when it started. It then has nothing
    to end: no BEGIN and COMMIT round trips, and no thread-pool hop to send them
    (docs/decisions/0009)."""
    if write:
        return engine.execution_options(pantau_write=True)
    if engine.dialect.name == "sqlite":
        return engine.execution_options(pantau_write=False)  # the driver is in autocommit
    return engine.execution_options(pantau_write=False, isolation_level="AUTOCOMMIT")


def open_session(engine: Engine, *, write: bool, today: date | None = None) -> Session:
    """A session that connects, and begins its transaction, on its first statement. `today`
    is the day its writes are reckoned on, for what follows them by itself on flush (the
    summary's rollup, app.dashboard.tally)."""
    session = Session(_bound(engine, write), expire_on_commit=False)
    if today is not None:
        session.info[WORK_DAY] = today
    return session


def work_day(session: OrmSession) -> date | None:
    day: date | None = session.info.get(WORK_DAY)
    return day


def finish(session: Session, *, commit: bool) -> None:
    """End the unit of work: commit (or roll back) and give the connection back."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


@contextmanager
def unit_of_work(
    engine: Engine, *, write: bool = True, today: date | None = None
) -> Iterator[Session]:
    """A session whose work is committed when the block ends, rolled back if it raises."""
    session = open_session(engine, write=write, today=today)
    try:
        yield session
    except BaseException:
        finish(session, commit=False)
        raise
    finish(session, commit=True)


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def concurrency(engine: Engine, configured: int | None) -> int:
    """Requests of one kind, reads or writes, that use the database at once in a process; the
    two kinds together stay within the connection pool. SQLite: one of each, since it has one
    writer, and readers in one process only take the interpreter lock from each other."""
    if configured is not None:
        return configured
    return 1 if engine.dialect.name == "sqlite" else (POOL_SIZE + MAX_OVERFLOW) // 2


def _slots(request: Request, *, write: bool) -> anyio.CapacityLimiter:
    state = request.app.state
    slots: dict[bool, anyio.CapacityLimiter] | None = getattr(state, "db_slots", None)
    if slots is None:  # made on first use: a limiter belongs to the running event loop
        limit = concurrency(get_engine(request), state.settings.db_concurrency)
        slots = state.db_slots = {kind: anyio.CapacityLimiter(limit) for kind in (False, True)}
    return slots[write]


@answers(503)  # the database unreachable (app.errors)
async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. It holds one of the process's database slots (reads and
    writes apart, see `concurrency`) from before its first statement to its end: requests past
    the limit wait here, holding neither a connection nor a thread, instead of taking the
    interpreter lock from each other in the thread pool; and a write waiting for SQLite's lock
    holds up no read. Opening it does no I/O, so it runs on the event loop, as does the end of
    a read, which has no transaction to end; a write's commit goes to the thread pool
    (docs/decisions/0009)."""
    write = request.method not in SAFE_METHODS
    async with _slots(request, write=write):
        today = today_of_request(request) if write else None
        session = open_session(get_engine(request), write=write, today=today)
        try:
            yield session
        except BaseException:
            await _end(session, commit=False)
            raise
        await _end(session, commit=True)


async def _end(session: Session, *, commit: bool) -> None:
    with anyio.CancelScope(shield=True):
        if _waits(session):
            await run_in_threadpool(finish, session, commit=commit)
        else:
            finish(session, commit=commit)


async def read(session: Session, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a bounded read (a page, not an export) of an `async def` route. On SQLite it runs
    right here on the event loop: the database is a library in this process, its reads are CPU
    work that takes the interpreter lock anyway, and a worker thread would only add the wait
    for that lock to change hands. On PostgreSQL it goes to the thread pool, as the statements
    wait on the network (docs/decisions/0010)."""
    if session.get_bind().dialect.name == "sqlite":
        return work(session, *args, **kwargs)
    return await run_in_threadpool(work, session, *args, **kwargs)


@answers(503)  # the database unreachable (app.errors)
async def write_apart(request: Request, work: Callable[[Session], T]) -> T:
    """The unit of work of a write whose slow preparation ran before it, in a reading session
    of its own (an import reads and checks a whole file first): the write slot and the
    transaction are held for `work` alone, so other writers wait for the writing only."""
    async with _slots(request, write=True):
        today = today_of_request(request)
        return await run_in_threadpool(_in_unit_of_work, get_engine(request), work, today)


def _in_unit_of_work(engine: Engine, work: Callable[[Session], T], today: date) -> T:
    with unit_of_work(engine, today=today) as session:
        return work(session)


def _waits(session: Session) -> bool:
    """Whether ending the session talks to the database: a write transaction, or (in a read)
    changes still to flush."""
    if not session.in_transaction():
        return False
    if session.new or session.dirty or session.deleted:
        return True
    return bool(session.get_bind().get_execution_options().get("pantau_write"))


# scope="function": the commit runs before the response is sent, so a failed commit becomes an
# error response instead of a 200 for work that was lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
