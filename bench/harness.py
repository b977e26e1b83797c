"""HTTP benchmarks of the dashboard's hot paths, as ratios to a bare Starlette app.

Seeds a database with N tasks (bulk inserts), starts one uvicorn process of Pantau and one of
each yardstick, drives every endpoint with the same `wrk` settings in the same run, and prints
each rate as a ratio to the bare Starlette hello. Then it times GET /summary recomputed after a
write on a database of 100,000 tasks, against the 50-row task list on the same database.

    .venv/bin/python bench/harness.py                      # SQLite
    .venv/bin/python bench/harness.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

Load goes to 127.0.0.1 only, and every run is bounded in time. See bench/README.md.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.auth import hash_secret  # noqa: E402
from app.models import (  # noqa: E402
    ApiToken,
    Commitment,
    Organisation,
    OrganisationKind,
    OwnerRole,
    Pillar,
    Plan,
    PlanScope,
    Priority,
    Role,
    Task,
    TaskOwner,
    TaskStatus,
    User,
)

NOW = datetime.now(UTC)
VIEWER = "pnt_bench-viewer-token-0123456789abcdefghijklmnopq"
ADMIN = "pnt_bench-admin-token-0123456789abcdefghijklmnopqr"
LATE = "pnt_bench-late-token-0123456789abcdefghijklmnopqrs"
STATUSES = list(TaskStatus)


# -- seeding ---------------------------------------------------------------------------------


def _rows(models: list[Any]) -> list[dict[str, Any]]:
    return [model.model_dump() for model in models]


def _bulk(engine: Engine, model: Any, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), chunk):
            connection.execute(insert(model.__table__), rows[start : start + chunk])


def seed(engine: Engine, tasks: int) -> None:
    """Two plans, 4 pillars, 40 commitments, 20 organisations, `tasks` tasks with owners."""
    rng = random.Random(2026)
    orgs = [
        Organisation(
            code=f"ORG-{i:02}",
            name_en=f"Org {i}",
            name_id=f"Org {i}",
            kind=OrganisationKind.ministry,
        )
        for i in range(20)
    ]
    plans = [
        Plan(
            code="ASEAN-RPA-2021",
            title_en="ASEAN RPA",
            title_id="RPA ASEAN",
            scope=PlanScope.regional,
            issuer="ASEAN",
            period_start=date(2021, 1, 1),
            period_end=date(2025, 12, 31),
        ),
        Plan(
            code="PERPRES-87-2025",
            title_en="Perpres 87/2025",
            title_id="Perpres 87/2025",
            scope=PlanScope.national,
            issuer="RI",
            period_start=date(2025, 1, 1),
            period_end=date(2029, 12, 31),
        ),
    ]
    pillars = [
        Pillar(plan_id=plans[1].id, code=c, title_en=c, title_id=c, position=i)
        for i, c in enumerate(("PENCEGAHAN", "PENANGANAN", "KOLABORASI"))
    ]
    pillars.append(Pillar(plan_id=plans[0].id, code="RPA-1", title_en="RPA 1", title_id="RPA 1"))
    commitments = [
        Commitment(
            plan_id=pillar.plan_id,
            pillar_id=pillar.id,
            code=f"C-{pillar.code}-{i}",
            title_en="c",
            title_id="c",
            target_year=rng.choice([2025, 2026, 2027, None]),
        )
        for pillar in pillars
        for i in range(10)
    ]
    for model, rows in (
        (Organisation, orgs),
        (Plan, plans),
        (Pillar, pillars),
        (Commitment, commitments),
    ):
        _bulk(engine, model, _rows(rows))
    _seed_tasks(engine, tasks, commitments, orgs, rng)
    _seed_users(engine)


def _seed_tasks(
    engine: Engine,
    count: int,
    commitments: list[Commitment],
    orgs: list[Organisation],
    rng: random.Random,
) -> None:
    today = NOW.date()
    created = NOW - timedelta(days=400)
    for start in range(0, count, 20_000):
        tasks, owners = [], []
        for n in range(start, min(count, start + 20_000)):
            at = created + timedelta(seconds=n)
            task = Task(
                commitment_id=rng.choice(commitments).id,
                title=f"Task {n}",
                status=rng.choice(STATUSES),
                progress=rng.randrange(0, 101, 10),
                due_date=today + timedelta(days=rng.randint(-200, 600)),
                priority=Priority.medium,
                created_at=at,
                updated_at=at,
                activity_at=at,
            )
            tasks.append(task)
            lead, support = rng.sample(orgs, 2)
            owners.append(TaskOwner(task_id=task.id, organisation_id=lead.id, role=OwnerRole.lead))
            if n % 3 == 0:
                owners.append(
                    TaskOwner(task_id=task.id, organisation_id=support.id, role=OwnerRole.support)
                )
        _bulk(engine, Task, _rows(tasks))
        _bulk(engine, TaskOwner, _rows(owners))


def _seed_users(engine: Engine) -> None:
    for role, secret in ((Role.viewer, VIEWER), (Role.admin, ADMIN)):
        user = User(name=role.value, email=f"{role.value}@bench.invalid", role=role)
        token = ApiToken(
            user_id=user.id, name="bench", token_hash=hash_secret(secret), prefix=secret[:8]
        )
        _bulk(engine, User, _rows([user]))
        _bulk(engine, ApiToken, _rows([token]))


def add_late_token(engine: Engine) -> None:
    """A token created without a data-version bump: the fast path does not know it, so polls
    with it take the route (the database-backed 304)."""
    with Session(engine) as session:
        user_id = session.exec(select(User.id)).first()
    assert user_id is not None
    token = ApiToken(user_id=user_id, name="late", token_hash=hash_secret(LATE), prefix=LATE[:8])
    _bulk(engine, ApiToken, _rows([token]))


@contextmanager
def database(kind: str, directory: Path, postgres: str | None, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / (name + '.db')}"
        return
    assert postgres is not None
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepared(url: str, tasks: int) -> None:
    started = time.monotonic()
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        seed(engine, tasks)
        if url.startswith("postgresql"):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    print(f"  seeded {tasks:,} tasks in {time.monotonic() - started:.1f} s")


# -- servers and load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def uvicorn(target: str, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """One uvicorn process (uvloop and httptools when installed, as `pantau serve`)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        *extra,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"{target} exited"
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{target} did not start"
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Load:
    threads: int
    connections: int
    seconds: int

    def rate(
        self, url: str, headers: dict[str, str] | None = None, *, script: Path | None = None
    ) -> tuple[float, str]:
        """Requests per second, and a note on errors (wrk counts 4xx/5xx as non-2xx/3xx)."""
        command = [
            "wrk",
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.seconds}s",
            "--latency",
        ]
        if script is not None:
            command += ["--script", str(script)]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=self.seconds + 30, check=True
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        p50 = re.search(r"Latency Distribution\s+50%\s+(\S+)", output)
        note = f"p50 {p50.group(1) if p50 else '?'}" + (
            f", {errors.group(1)} errors" if errors else ""
        )
        return rate, note


# -- measurements ----------------------------------------------------------------------------


def etag_of(url: str, headers: dict[str, str]) -> str:
    response = httpx.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    return response.headers["etag"]


def app_env(url: str) -> dict[str, str]:
    return {"PANTAU_DATABASE_URL": url, "PANTAU_LOG_LEVEL": "WARNING"}


# Every request a query no earlier one asked: no answer is kept for it, so the route builds it.
NEW_QUERY_EACH_TIME = """
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&nonce=" .. n)
end
"""


def measure_polls(url: str, load: Load, directory: Path) -> list[tuple[str, float, str]]:
    """Rates of the yardsticks and of the dashboard's polls, on one database."""
    results = []
    new_query = directory / "new-query.lua"
    new_query.write_text(NEW_QUERY_EACH_TIME)
    with uvicorn("bench.bare:asgi_app", "--lifespan", "off") as bare:
        results.append(("bare ASGI callable, JSON hello", *load.rate(bare + "/")))
    with uvicorn("bench.bare:starlette_app") as starlette:
        results.append(("bare Starlette, JSON hello", *load.rate(starlette + "/")))
    with uvicorn("app.main:create_app", "--factory", env=app_env(url)) as app:
        viewer = {"Authorization": f"Bearer {VIEWER}"}
        tasks, summary = app + "/api/v1/tasks?limit=50", app + "/api/v1/summary"
        time.sleep(1.5)  # let the watcher take its first snapshot
        add_late_token(create_engine(url))  # after it: a token the fast path does not know
        for name, target in (("/summary", summary), ("/tasks", tasks)):
            hit = {**viewer, "If-None-Match": etag_of(target, viewer)}
            results.append((f"poll hit (304) on {name}, fast path", *load.rate(target, hit)))
        late = {"Authorization": f"Bearer {LATE}", "If-None-Match": etag_of(tasks, viewer)}
        results.append(("poll hit (304) on /tasks via the route", *load.rate(tasks, late)))
        miss = {**viewer, "If-None-Match": 'W/"stale"'}
        results.append(("poll miss (200) on /tasks, kept answer", *load.rate(tasks, miss)))
        built = load.rate(tasks, miss, script=new_query)
        results.append(("poll miss (200) on /tasks, page built", *built))
    with uvicorn("bench.tutorial:app", env=app_env(url)) as tutorial:
        target = tutorial + "/tasks?limit=50"
        results.append(("tutorial-style SQLModel list, 50 rows", *load.rate(target)))
    return results


def measure_summary(url: str, rounds: int) -> tuple[float, float]:
    """Median ms of GET /summary and of GET /tasks?limit=50, each right after a write."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with (
        uvicorn("app.main:create_app", "--factory", env=app_env(url)) as app,
        httpx.Client(base_url=app, headers=admin, timeout=60) as http,
    ):
        ids = [
            item["id"] for item in http.get("/api/v1/tasks", params={"limit": 200}).json()["items"]
        ]
        timings: dict[str, list[float]] = {"/api/v1/summary": [], "/api/v1/tasks?limit=50": []}
        for n in range(rounds):
            for target, spent in timings.items():
                _write(http, ids[n % len(ids)], n)
                started = time.perf_counter()
                http.get(target).raise_for_status()
                spent.append((time.perf_counter() - started) * 1000)
    summary, tasks = (statistics.median(values) for values in timings.values())
    return summary, tasks


def _write(http: httpx.Client, task_id: str, n: int) -> None:
    current = http.get(f"/api/v1/tasks/{task_id}")
    response = http.patch(
        f"/api/v1/tasks/{task_id}",
        json={"priority": ["low", "high"][n % 2]},
        headers={"If-Match": current.headers["etag"]},
    )
    response.raise_for_status()


def report(kind: str, results: list[tuple[str, float, str]], summary: tuple[float, float]) -> None:
    base = next(rate for name, rate, _ in results if name.startswith("bare Starlette"))
    print(f"\n{kind}: requests/s, and the ratio to the bare Starlette hello")
    for name, rate, note in results:
        print(f"  {name:<42} {rate:>9.0f}/s  {rate / base:>6.1%}   ({note})")
    summary_ms, tasks_ms = summary
    print(f"  GET /summary after a write, 100,000 tasks:  {summary_ms:7.1f} ms (median)")
    print(f"  GET /tasks?limit=50 after a write, same db: {tasks_ms:7.1f} ms (median)")
    print(f"  summary / 50-row list: {summary_ms / tasks_ms:.1f}x (goal: within 10x)")


def run(kind: str, args: argparse.Namespace, directory: Path) -> None:
    load = Load(args.threads, args.connections, args.seconds)
    print(f"{kind}:")
    with database(kind, directory, args.postgres, "pantau_bench_polls") as url:
        prepared(url, args.tasks)
        results = measure_polls(url, load, directory)
    with database(kind, directory, args.postgres, "pantau_bench_summary") as url:
        prepared(url, args.summary_tasks)
        summary = measure_summary(url, args.rounds)
    report(kind, results, summary)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--summary-tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=20, help="writes, then reads, for /summary")
    parser.add_argument("--postgres", help="also run on PostgreSQL (an admin URL of the server)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (see bench/README.md)")
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        if not args.skip_sqlite:
            run("sqlite", args, Path(directory))
        if args.postgres:
            run("postgresql", args, Path(directory))


if __name__ == "__main__":
    main()
