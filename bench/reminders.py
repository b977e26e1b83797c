"""One reminder pass over N open tasks with 1,000 due: its cost must follow the reminders due,
not the tasks stored.

Seeds 10,000 and 100,000 open tasks (1,000 of them with a reminder due at the pass), runs the
pass a worker runs at 09:00 Jakarta, and prints the time of its two halves and their ratio:

    .venv/bin/python bench/reminders.py                  # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/reminders.py --sizes 10000 100000 --due 1000 --repeat 5

Scheduling is timed `--repeat` times (the outbox is emptied between runs; the median is shown);
delivery (1,000 e-mails to a local aiosmtpd server) once. PostgreSQL comes from
PANTAU_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import Settings
from app.db import make_engine, unit_of_work
from app.outbox.sender import WebhookSender
from app.reminders import delivery, schedule
from bench.reminders_seed import PASS_AT, TODAY, reset, seed

POSTGRES = os.environ.get(
    "PANTAU_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Sink:
    """Accepts mail and forgets it."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def time_schedule(engine: Engine, settings: Settings) -> tuple[float, int]:
    reset(engine)
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        added = schedule.run(session, settings, PASS_AT)
    return time.perf_counter() - started, added


def time_delivery(engine: Engine, settings: Settings) -> tuple[float, int]:
    sender = WebhookSender(settings)
    started = time.perf_counter()
    tally = delivery.deliver(engine, settings, PASS_AT, worker="bench", sender=sender)
    sender.close()
    return time.perf_counter() - started, tally["sent"]


def tasks_read(engine: Engine, settings: Settings) -> int:
    """How many tasks the pass reads: the candidates its indexed lookups return."""
    with unit_of_work(engine, write=False) as session:
        world, policies = schedule.load_world(session, settings)
        days = world.point_days(PASS_AT - timedelta(seconds=30), PASS_AT)
        return len(schedule.candidates(session, policies, days))


def explain(engine: Engine) -> list[str]:
    """PostgreSQL's plan for the due-date lookup of the pass (the biggest of the three)."""
    owing = [TODAY + timedelta(days=n) for n in (14, 7, 1, 0, -14)]
    query = text(
        "EXPLAIN SELECT * FROM task WHERE status IN ('blocked', 'in_progress', 'not_started')"
        " AND due_date = ANY(:days)"
    )
    with engine.connect() as c:
        return [row[0] for row in c.execute(query, {"days": owing})]


def time_idle(engine: Engine, settings: Settings, hours: int) -> float:
    """A pass some hours later: no 09:00 crossed, so no task is read."""
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        schedule.run(session, settings, PASS_AT + timedelta(hours=hours))
    return time.perf_counter() - started


@contextmanager
def database(kind: str, name: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/{name}.db"
        return
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(kind: str, size: int, due: int, repeat: int, smtp_port: int) -> dict[str, float]:
    with database(kind, f"pantau_bench_reminders_{size}") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        settings = Settings(
            database_url=url, smtp_port=smtp_port, reminder_batch_size=200, _env_file=None
        )
        started = time.perf_counter()
        seed(engine, size, due)
        seeded = time.perf_counter() - started
        time_schedule(engine, settings)  # warm-up: holiday calendars, statement caches
        runs = [time_schedule(engine, settings) for _ in range(repeat)]
        assert all(added == due for _, added in runs), runs
        sent_in, sent = time_delivery(engine, settings)
        assert sent == due, sent
        idle = statistics.median(time_idle(engine, settings, n) for n in range(1, repeat + 1))
        read = tasks_read(engine, settings)
        if kind == "postgresql" and size >= 100_000:
            print("\n".join(f"  plan: {line}" for line in explain(engine)), flush=True)
        engine.dispose()
    return {
        "seed": seeded,
        "schedule": statistics.median(t for t, _ in runs),
        "best": min(t for t, _ in runs),
        "deliver": sent_in,
        "idle": idle,
        "read": read,
    }


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


HEADER = (
    f"{'database':<11}{'tasks':>9}{'seed s':>8}{'schedule s':>12}{'best s':>8}"
    f"{'deliver s':>11}{'idle ms':>9}{'read':>6}"
)


def line(kind: str, size: int, row: dict[str, float]) -> str:
    return (
        f"{kind:<11}{size:>9,}{row['seed']:>8.1f}{row['schedule']:>12.3f}{row['best']:>8.3f}"
        f"{row['deliver']:>11.2f}{row['idle'] * 1000:>9.1f}{row['read']:>6.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    options = parser.parse_args()
    port = free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        kinds = [k for k in options.databases if k == "sqlite" or postgres_reachable()]
        print(f"one pass at {PASS_AT:%Y-%m-%d %H:%M} UTC, {options.due} reminders due")
        print(HEADER, flush=True)
        for kind in kinds:
            small, large = (
                measure(kind, size, options.due, options.repeat, port) for size in options.sizes
            )
            for size, row in zip(options.sizes, (small, large), strict=True):
                print(line(kind, size, row), flush=True)
            ratio = large["schedule"] / small["schedule"]
            best = large["best"] / small["best"]
            whole = (large["schedule"] + large["deliver"]) / (small["schedule"] + small["deliver"])
            print(
                f"{kind:<11}ratio {options.sizes[1]:,}/{options.sizes[0]:,}: "
                f"schedule {ratio:.2f} (best {best:.2f}), whole pass {whole:.2f}",
                flush=True,
            )
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
