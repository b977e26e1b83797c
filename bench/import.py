"""The import engine at scale, as ratios to openpyxl reading the same workbook.

Seeds a database with 10,000 tasks (bench/harness.py's seeding), builds a 10,000-row XLSX, and
times its import. Two workbooks, each on a freshly seeded database: a task sheet in the
export's columns, and a plan matrix in the shape of the Perpres annex (Indonesian headers,
strategy cells merged down their block, each row a strategy, a commitment and a task). In both,
half of the rows update seeded tasks and half create new ones. It times:

- openpyxl alone reading it (read-only mode, every value): the reference, the median of reads
  spread over the run;
- a dry run and a real import through the code path of POST /imports and `pantau import`
  (app.exchange.files.read, then app.exchange.service: planning in a reading unit of work,
  writing in a short one), with nothing else running, each as a ratio to the reference;
- on a copy of the database as it was before them, the same two again, and the longest wait of
  another writer while that real import runs: a thread that changes the priority of one task
  through the task service (its own unit of work, locks and all) every 20 ms, timing each
  write.

    .venv/bin/python bench/import.py                      # SQLite, both workbooks
    .venv/bin/python bench/import.py --skip-sqlite --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/import.py --sheet matrix       # one workbook only

See bench/README.md. Everything runs in this process, against 127.0.0.1 only.
"""

import argparse
import io
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import database, prepared  # noqa: E402

from app.db import make_engine, unit_of_work  # noqa: E402
from app.exchange import files, service  # noqa: E402
from app.exchange.matrix_columns import MATRIX_COLUMNS  # noqa: E402
from app.i18n import status_label  # noqa: E402
from app.models import (  # noqa: E402
    Commitment,
    Organisation,
    OwnerRole,
    Pillar,
    Plan,
    Priority,
    Role,
    Task,
    TaskOwner,
    User,
)
from app.tasks import service as tasks  # noqa: E402
from app.tasks.schemas import TaskUpdate  # noqa: E402

COLUMNS = [
    "id",
    "version",
    "commitment",
    "title",
    "description",
    "priority",
    "due_date",
    "lead_owner",
    "support_owners",
]
LIMITS = files.Limits(max_rows=50_000, max_unpacked_bytes=100_663_296)
BY_KEY = {column.key: column for column in MATRIX_COLUMNS}
WRITER_PAUSE = 0.02  # seconds between the other writer's writes


def task_sheet(engine: Engine, rows: int) -> tuple[bytes, set[Any]]:
    """An XLSX of `rows` rows: half update seeded tasks (title and priority), half create; and
    the ids of the tasks it updates."""
    with Session(engine) as session:
        existing = session.exec(select(Task).order_by(col(Task.created_at)).limit(rows // 2)).all()
        codes = [c.code for c in session.exec(select(Commitment).order_by(col(Commitment.code)))]
        orgs = [o.code for o in session.exec(select(Organisation).order_by(col(Organisation.code)))]
        owned = session.exec(
            select(TaskOwner.task_id, TaskOwner.role, Organisation.code).join(
                Organisation, col(Organisation.id) == col(TaskOwner.organisation_id)
            )
        ).all()
    lead = {task_id: code for task_id, role, code in owned if role == OwnerRole.lead}
    support: dict[Any, list[str]] = {}
    for task_id, role, code in owned:
        if role == OwnerRole.support:
            support.setdefault(task_id, []).append(code)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("tasks")
    sheet.append(COLUMNS)
    today = datetime.now(UTC).date()
    for task in existing:
        sheet.append(
            [
                *(str(task.id), task.version, "", f"{task.title} (revised)", None, "high"),
                *(task.due_date, lead.get(task.id), ";".join(support.get(task.id, []))),
            ]
        )
    for n in range(rows - len(existing)):
        sheet.append(
            [
                None,
                None,
                codes[n % len(codes)],
                f"Imported task {n}",
                "Made by the import bench",
                "medium",
                today + timedelta(days=30 + n % 300),
                orgs[n % len(orgs)],
                orgs[(n + 1) % len(orgs)],
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), {task.id for task in existing}


MATRIX_PLAN = "PERPRES-87-2025"  # bench/harness.py's national plan: 3 strategies, 30 commitments
MATRIX_KEYS = [
    "strategy_code",
    "strategy",
    "commitment_code",
    "commitment",
    "task_id",
    "task",
    "lead_owner",
    "support_owners",
    "status",
    "due_date",
    "version",
]


def matrix_sheet(engine: Engine, rows: int) -> tuple[bytes, set[Any]]:
    """A plan matrix of `rows` rows in Indonesian: half update seeded tasks of the plan (their
    title), half add tasks to its commitments; rows grouped by strategy and commitment, the
    strategy cells merged down each strategy's block as the annex has them. And the ids of the
    tasks it updates."""
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(col(Plan.code) == MATRIX_PLAN)).one()
        pillars = {
            p.id: p for p in session.exec(select(Pillar).where(col(Pillar.plan_id) == plan.id))
        }
        commitments = list(
            session.exec(
                select(Commitment)
                .where(col(Commitment.plan_id) == plan.id)
                .order_by(col(Commitment.code))
            )
        )
        by_id = {c.id: c for c in commitments}
        existing = session.exec(
            select(Task)
            .where(col(Task.commitment_id).in_(list(by_id)))
            .order_by(col(Task.created_at))
            .limit(rows // 2)
        ).all()
        orgs = [o.code for o in session.exec(select(Organisation).order_by(col(Organisation.code)))]
        lead = dict(
            session.exec(
                select(TaskOwner.task_id, Organisation.code)
                .join(Organisation, col(Organisation.id) == col(TaskOwner.organisation_id))
                .where(col(TaskOwner.role) == OwnerRole.lead)
            ).all()
        )
    today = datetime.now(UTC).date()
    lines: list[tuple[Any, list[Any]]] = []
    for task in existing:
        commitment = by_id[task.commitment_id]
        cells: list[Any] = [str(task.id), f"{task.title} (revisi)", lead.get(task.id), None]
        cells += [status_label(task.status, "id"), task.due_date, task.version]
        lines.append((commitment, cells))
    for n in range(rows - len(existing)):
        commitment = commitments[n % len(commitments)]
        cells = [None, f"Tugas impor {n}", orgs[n % len(orgs)], orgs[(n + 1) % len(orgs)]]
        cells += [None, today + timedelta(days=30 + n % 300), None]
        lines.append((commitment, cells))
    lines.sort(key=lambda line: (pillars[line[0].pillar_id].code, line[0].code))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Matriks"
    sheet.append(["LAMPIRAN PERATURAN PRESIDEN NOMOR 87 TAHUN 2025"])
    sheet.append([BY_KEY[key].title("id") for key in MATRIX_KEYS])
    first_row, block = 3, None
    for number, (commitment, cells) in enumerate(lines, start=3):
        pillar = pillars[commitment.pillar_id]
        if pillar.code != block:
            if block is not None:
                sheet.merge_cells(
                    start_row=first_row, end_row=number - 1, start_column=1, end_column=2
                )
            first_row, block = number, pillar.code
            head: list[Any] = [pillar.code, pillar.title_id]
        else:
            head = [None, None]
        sheet.append([*head, commitment.code, commitment.title_id, *cells])
    sheet.merge_cells(start_row=first_row, end_row=len(lines) + 2, start_column=1, end_column=2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), {task.id for task in existing}


SHEETS = {"tasks": task_sheet, "matrix": matrix_sheet}


def openpyxl_read(data: bytes) -> float:
    started = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        for _value in row:
            pass
    book.close()
    return time.perf_counter() - started


def imported(engine: Engine, data: bytes, actor: User, *, dry_run: bool) -> tuple[float, int]:
    started = time.perf_counter()
    table = files.read(files.Upload(data, files.XLSX_TYPE), LIMITS)
    now = datetime.now(UTC)
    report = service.run(
        engine,
        table,
        actor=actor,
        dry_run=dry_run,
        locale="id",
        now=now,
        today=now.date(),
        plan=MATRIX_PLAN,  # read by a matrix only
    )
    return time.perf_counter() - started, report.created + report.updated + report.unchanged


class Writer(threading.Thread):
    """Another client's writes, one task's priority back and forth, each timed."""

    def __init__(self, engine: Engine, task_id: Any, actor: User) -> None:
        super().__init__(daemon=True)
        self.engine, self.task_id, self.actor = engine, task_id, actor
        self.waits: list[float] = []
        self.failures = 0
        self.stop = threading.Event()

    def write(self, n: int) -> float:
        started = time.perf_counter()
        now = datetime.now(UTC)
        with unit_of_work(self.engine, today=now.date()) as session:
            task = tasks.get(session, str(self.task_id), for_update=True)
            priority = Priority.low if n % 2 else Priority.critical
            tasks.update(
                session,
                task,
                TaskUpdate(priority=priority),
                actor=self.actor,
                now=now,
                today=now.date(),
            )
        return time.perf_counter() - started

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                self.waits.append(self.write(n))
            except OperationalError:  # gave up waiting (SQLite's busy timeout): a wait too
                self.waits.append(time.perf_counter() - started)
                self.failures += 1
            n += 1
            time.sleep(WRITER_PAUSE)


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A copy of a database no one is connected to, dropped afterwards: the same tasks, for a
    second real import."""
    made = make_url(url)
    if made.get_backend_name() == "sqlite":
        assert made.database is not None
        copy = f"{made.database}.copy"
        with sqlite3.connect(made.database) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        # On disk before it is used, as the original is: else the first checkpoint's fsync
        # (in the import's commit) writes the whole copy out, and the lock was held 0.2-0.35 s
        # longer on it than on the original.
        descriptor = os.open(copy, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            yield made.set(database=copy).render_as_string(hide_password=False)
        finally:
            Path(copy).unlink()
        return
    name = f"{made.database}_copy"
    admin = create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            # FILE_COPY (PostgreSQL 15+) copies the files between two checkpoints, leaving
            # nothing for the server to write out during the import, as for the original.
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
            strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
            connection.execute(
                text(f'CREATE DATABASE "{name}" TEMPLATE "{made.database}"{strategy}')
            )
        yield made.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, rows: int, sheet: str) -> None:
    prepared(url, rows)
    engine = make_engine(url)
    try:
        data, updated = SHEETS[sheet](engine, rows)
        with Session(engine) as session:
            actor = session.exec(select(User).where(col(User.role) == Role.admin)).one()
            other = session.exec(select(Task.id).where(col(Task.id).not_in(updated)).limit(1)).one()
        Writer(engine, other, actor).write(0)  # builds the summary's rollup: not timed
    finally:
        engine.dispose()
    print(f"  {sheet}: {rows:,} rows, {len(data) / 1e6:.2f} MB")
    # The reference is read before each timed import too: the machine's speed drifts within
    # a run, and the median of reads spread over it follows the drift.
    references = [openpyxl_read(data) for _ in range(3)]
    with copy_of(url) as copy:
        engine = make_engine(url)
        try:
            references.append(openpyxl_read(data))
            dry, planned = imported(engine, data, actor, dry_run=True)
            references.append(openpyxl_read(data))
            real, written = imported(engine, data, actor, dry_run=False)
        finally:
            engine.dispose()
        # The same import on a copy of the database as it was, beside another writer: a dry
        # run first, as above (it warms the same caches), then the real one.
        engine = make_engine(copy)
        try:
            alone = Writer(engine, other, actor)
            baseline = [alone.write(n) for n in range(20)]
            imported(engine, data, actor, dry_run=True)
            references.append(openpyxl_read(data))
            writer = Writer(engine, other, actor)
            writer.start()
            time.sleep(0.2)
            beside, written_beside = imported(engine, data, actor, dry_run=False)
            time.sleep(0.2)
            writer.stop.set()
            writer.join()
        finally:
            engine.dispose()
    assert planned == written == written_beside == rows, (planned, written, written_beside)
    reference = statistics.median(references)
    print(
        f"  openpyxl read (reference)  {reference:7.2f} s  "
        f"(median of {len(references)} reads, {min(references):.2f}-{max(references):.2f} s)"
    )
    print(f"  dry run                    {dry:7.2f} s  {dry / reference:5.2f}x  (goal <= 5x)")
    print(f"  import                     {real:7.2f} s  {real / reference:5.2f}x  (goal <= 5x)")
    print(
        f"  import beside the writer   {beside:7.2f} s  {beside / reference:5.2f}x  "
        "(the writer's CPU shares this process)"
    )
    print(
        f"  other writer, alone        median {statistics.median(baseline) * 1000:6.1f} ms, "
        f"max {max(baseline) * 1000:6.1f} ms"
    )
    print(
        f"  other writer, during it    median {statistics.median(writer.waits) * 1000:6.1f} ms, "
        f"max {max(writer.waits) * 1000:6.1f} ms over {len(writer.waits)} writes, "
        f"{writer.failures} gave up (goal < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the workbook")
    parser.add_argument("--postgres", help="also run on PostgreSQL (an admin URL of the server)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sheet", choices=[*SHEETS, "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        kinds = ([] if args.skip_sqlite else ["sqlite"]) + (["postgresql"] if args.postgres else [])
        sheets = list(SHEETS) if args.sheet == "both" else [args.sheet]
        for kind in kinds:
            for sheet in sheets:
                print(f"{kind}:")
                with database(kind, Path(directory), args.postgres, f"pantau_bench_{sheet}") as url:
                    measure(url, args.rows, sheet)


if __name__ == "__main__":
    main()
