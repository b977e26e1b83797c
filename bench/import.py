"""The import engine at scale, as ratios to openpyxl reading the same workbook.

Seeds a database with 10,000 tasks (bench/harness.py's seeding), builds a 10,000-row XLSX in
the export's columns (half of the rows update seeded tasks, half create new ones), and times:

- openpyxl alone reading it (read-only mode, every value): the reference;
- a dry run and a real import through the code path of POST /imports and `pantau import`
  (app.exchange.files.read, then app.exchange.service: planning in a reading unit of work,
  writing in a short one), each as a ratio to the reference;
- the longest wait of another writer while the real import runs: a thread that changes the
  priority of one task through the task service (its own unit of work, locks and all) every
  20 ms, timing each write.

    .venv/bin/python bench/import.py                      # SQLite
    .venv/bin/python bench/import.py --skip-sqlite --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

See bench/README.md. Everything runs in this process, against 127.0.0.1 only.
"""

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import database, prepared  # noqa: E402

from app.db import make_engine, unit_of_work  # noqa: E402
from app.exchange import files, service  # noqa: E402
from app.models import (  # noqa: E402
    Commitment,
    Organisation,
    OwnerRole,
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
LIMITS = files.Limits(max_rows=50_000, max_unpacked_bytes=52_428_800)
WRITER_PAUSE = 0.02  # seconds between the other writer's writes


def workbook(engine: Engine, rows: int) -> tuple[bytes, set[Any]]:
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
        engine, table, actor=actor, dry_run=dry_run, locale="en", now=now, today=now.date()
    )
    return time.perf_counter() - started, report.created + report.updated + report.unchanged


class Writer(threading.Thread):
    """Another client's writes, one task's priority back and forth, each timed."""

    def __init__(self, engine: Engine, task_id: Any, actor: User) -> None:
        super().__init__(daemon=True)
        self.engine, self.task_id, self.actor = engine, task_id, actor
        self.waits: list[float] = []
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
            self.waits.append(self.write(n))
            n += 1
            time.sleep(WRITER_PAUSE)


def measure(kind: str, url: str, rows: int) -> None:
    prepared(url, rows)
    engine = make_engine(url)
    try:
        data, updated = workbook(engine, rows)
        with Session(engine) as session:
            actor = session.exec(select(User).where(col(User.role) == Role.admin)).one()
            other = session.exec(select(Task.id).where(col(Task.id).not_in(updated)).limit(1)).one()
        print(f"  workbook: {rows:,} rows, {len(data) / 1e6:.2f} MB")
        reference = statistics.median(openpyxl_read(data) for _ in range(3))
        Writer(engine, other, actor).write(0)  # builds the summary's rollup: not timed
        alone = Writer(engine, other, actor)
        baseline = [alone.write(n) for n in range(20)]
        dry, planned = imported(engine, data, actor, dry_run=True)
        writer = Writer(engine, other, actor)
        writer.start()
        time.sleep(0.2)
        real, written = imported(engine, data, actor, dry_run=False)
        time.sleep(0.2)
        writer.stop.set()
        writer.join()
    finally:
        engine.dispose()
    assert planned == written == rows, (planned, written)
    print(f"  openpyxl read (reference)  {reference:7.2f} s")
    print(f"  dry run                    {dry:7.2f} s  {dry / reference:5.2f}x  (goal <= 5x)")
    print(f"  import                     {real:7.2f} s  {real / reference:5.2f}x  (goal <= 5x)")
    print(
        f"  other writer, alone        median {statistics.median(baseline) * 1000:6.1f} ms, "
        f"max {max(baseline) * 1000:6.1f} ms"
    )
    print(
        f"  other writer, during it    median {statistics.median(writer.waits) * 1000:6.1f} ms, "
        f"max {max(writer.waits) * 1000:6.1f} ms over {len(writer.waits)} writes (goal < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the workbook")
    parser.add_argument("--postgres", help="also run on PostgreSQL (an admin URL of the server)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        kinds = ([] if args.skip_sqlite else ["sqlite"]) + (["postgresql"] if args.postgres else [])
        for kind in kinds:
            print(f"{kind}:")
            with database(kind, Path(directory), args.postgres, "pantau_bench_import") as url:
                measure(kind, url, args.rows)


if __name__ == "__main__":
    main()
