"""A mixed workload at a fixed arrival rate against one `pantau serve` process.

Dashboard polls with ETags, list reads, status updates (transitions and PATCH, with If-Match)
and one import arrive on a fixed schedule (open loop: a slow answer does not slow the arrivals)
for 60 s. The same generator, at the same rate, first drives a bare Starlette hello: the
reference the latencies are divided by. With --outage, the server reaches PostgreSQL through a
TCP relay that is cut for 10 s in the middle of the run.

    .venv/bin/python bench/load.py                                   # SQLite
    .venv/bin/python bench/load.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/load.py --postgres URL --skip-sqlite --outage

Load goes to 127.0.0.1 only; arrivals are counted and every request has a timeout. See
bench/README.md.
"""

import argparse
import asyncio
import csv
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import ADMIN, VIEWER, database, prepared, uvicorn  # noqa: E402
from bench.load_report import Sample, outage_report, report  # noqa: E402
from tests.ops.proxy import TcpProxy  # noqa: E402
from tests.ops.server import serve  # noqa: E402

API = "/api/v1"
NEXT = {"in_progress": "blocked", "blocked": "in_progress"}
KINDS = ("poll", "list", "update")
WEIGHTS = (50, 25, 25)
STATUSES = ("not_started", "in_progress", "blocked", "completed", "cancelled")


@dataclass
class Plan:
    """What the run needs to know: arrivals, timeouts, and the outage window if any."""

    rate: float
    seconds: float
    timeout: float
    in_flight: int
    outage: tuple[float, float] | None = None


@dataclass
class Dashboard:
    """The clients' state: the last ETag of each poll, and of each task they update."""

    polls: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (status, etag)
    order: list[str] = field(default_factory=list)
    upload: bytes = b""
    turn: int = 0


def viewer() -> dict[str, str]:
    return {"Authorization": f"Bearer {VIEWER}"}


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN}"}


async def poll(http: httpx.AsyncClient, board: Dashboard, n: int) -> httpx.Response:
    target = (f"{API}/summary", f"{API}/tasks?limit=50")[n % 2]
    headers = viewer()
    if target in board.polls:
        headers["If-None-Match"] = board.polls[target]
    response = await http.get(target, headers=headers)
    if response.status_code == 200:
        board.polls[target] = response.headers["etag"]
    return response


async def list_read(http: httpx.AsyncClient, _board: Dashboard, n: int) -> httpx.Response:
    params = {"limit": "50", "status": STATUSES[n % len(STATUSES)]}
    return await http.get(f"{API}/tasks", params=params, headers=viewer())


async def update(http: httpx.AsyncClient, board: Dashboard, n: int) -> httpx.Response:
    """The next task of the pool, moved on by a transition or reprioritised by a PATCH."""
    task_id = board.order[board.turn % len(board.order)]
    board.turn += 1
    current, etag = board.tasks[task_id]
    headers = {**admin(), "If-Match": etag}
    if n % 2:
        body = {"status": NEXT[current], "note": "bench"}
        response = await http.post(f"{API}/tasks/{task_id}/transitions", json=body, headers=headers)
    else:
        body = {"priority": ("low", "high")[n % 4 // 2]}
        response = await http.patch(f"{API}/tasks/{task_id}", json=body, headers=headers)
    if response.status_code == 200:
        board.tasks[task_id] = (response.json()["status"], response.headers["etag"])
    return response


async def hello(http: httpx.AsyncClient, _board: Dashboard, _n: int) -> httpx.Response:
    return await http.get("/")


async def import_once(http: httpx.AsyncClient, board: Dashboard, _n: int) -> httpx.Response:
    headers = {**admin(), "Content-Type": "text/csv"}
    return await http.post(f"{API}/imports", content=board.upload, headers=headers)


ACTIONS = {"poll": poll, "list": list_read, "update": update, "import": import_once, "hello": hello}


async def one(
    http: httpx.AsyncClient, board: Dashboard, kind: str, n: int, started: float, limit: float
) -> Sample:
    """One request, timed; a request that takes longer than the limit in all is a timeout."""
    sent = time.monotonic()
    try:
        response = await asyncio.wait_for(ACTIONS[kind](http, board, n), limit)
        status = str(response.status_code)
        if status == "503" and "retry-after" not in response.headers:
            status = "503 without Retry-After"
    except (TimeoutError, httpx.TimeoutException):
        status = "timeout"
    except httpx.TransportError as error:
        status = type(error).__name__
    return Sample(kind, sent - started, time.monotonic() - sent, status)


def schedule(plan: Plan, mixed: bool) -> Iterator[tuple[float, str]]:
    """(offset, kind) of each arrival: a fixed count, evenly spaced; in the mix, one import at a
    quarter of the run (before any outage); otherwise the reference's hello."""
    count = int(plan.rate * plan.seconds)
    kinds = random.Random(2026).choices(KINDS, WEIGHTS, k=count) if mixed else ["hello"] * count
    if mixed:
        kinds[count // 4] = "import"
    for n, kind in enumerate(kinds):
        yield n / plan.rate, kind


async def drive(
    base: str, board: Dashboard, plan: Plan, mixed: bool, cut: TcpProxy | None
) -> list[Sample]:
    """Send every arrival on time (open loop), bounded in flight; wait at most the timeout."""
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=plan.in_flight, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=plan.timeout, limits=limits) as http:
        pending: set[asyncio.Task[Sample]] = set()
        jobs: list[asyncio.Task[Sample]] = []
        outage = asyncio.create_task(_outage(plan.outage, cut)) if cut and plan.outage else None
        started = time.monotonic()
        for n, (offset, kind) in enumerate(schedule(plan, mixed)):
            await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
            if len(pending) >= plan.in_flight:
                samples.append(Sample(kind, offset, 0.0, "not sent"))  # the generator's limit
                continue
            job = asyncio.create_task(one(http, board, kind, n, started, plan.timeout))
            jobs.append(job)
            pending.add(job)
            job.add_done_callback(pending.discard)
        if pending:  # each one ends by its own timeout; this bound is only a second guard
            await asyncio.wait(pending, timeout=plan.timeout + 5)
        if outage:
            await outage
    return samples + [job.result() for job in jobs if job.done()]


async def _outage(window: tuple[float, float], cut: TcpProxy) -> None:
    start, end = window
    await asyncio.sleep(start)
    cut.close()
    await asyncio.sleep(end - start)
    cut.open()


def prepare(base: str, pool: int, rows: int) -> Dashboard:
    """The tasks the updates cycle through, with their ETags, and the import's file: other
    tasks, retitled, with their current versions (so the import's writes do not race them)."""
    board = Dashboard()
    with httpx.Client(base_url=base, headers=admin(), timeout=60) as http:
        for status in NEXT:
            page = http.get(f"{API}/tasks", params={"limit": pool // 2, "status": status}).json()
            for item in page["items"]:
                task = http.get(f"{API}/tasks/{item['id']}")
                board.tasks[item["id"]] = (status, task.headers["etag"])
        board.order = list(board.tasks)
        exported = http.get(f"{API}/tasks.csv", params={"status": "not_started"}).content
    reader = csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))
    chosen = [row for row in reader if row["id"] not in board.tasks][:rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(chosen[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({**row, "title": row["title"] + " (imported)"} for row in chosen)
    board.upload = out.getvalue().encode()
    return board


@contextmanager
def relayed(url: str, wanted: bool) -> Iterator[tuple[str, TcpProxy | None]]:
    """The database URL the server should use: through a relay of ours when an outage is
    staged, so that the shared PostgreSQL server itself is never touched."""
    if not wanted:
        yield url, None
        return
    real = make_url(url)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        yield real.set(host="127.0.0.1", port=proxy.port).render_as_string(False), proxy


def run(kind: str, args: argparse.Namespace, directory: Path) -> None:
    plan = Plan(args.rate, args.seconds, args.timeout, args.in_flight)
    reference = Plan(args.rate, args.reference_seconds, args.timeout, args.in_flight)
    outage = kind == "postgresql" and args.outage
    if outage:
        middle = args.seconds / 2
        plan.outage = (middle - args.down / 2, middle + args.down / 2)
    name = "pantau_bench_load"
    with database(kind, directory, args.postgres, name) as url:
        prepared(url, args.tasks)
        with uvicorn("bench.bare:starlette_app") as bare:
            base = asyncio.run(drive(bare, Dashboard(), reference, False, None))
        with relayed(url, outage) as (served_url, proxy), serve(served_url, directory) as app:
            board = prepare(app.url, args.pool, args.import_rows)
            samples = asyncio.run(drive(app.url, board, plan, True, proxy))
            log = app.stop()
    if args.samples:
        with Path(args.samples).with_suffix(f".{kind}.csv").open("w", newline="") as out:
            csv.writer(out).writerows(astuple(sample) for sample in samples)
    title = f"{kind}{' with the database cut' if outage else ''}"
    report(title, plan.rate, plan.seconds, samples, base)
    if plan.outage:
        outage_report(samples, plan.outage, plan.timeout)
    logged = Counter(
        str(json.loads(line).get("logger", "?"))
        for line in log.splitlines()
        if line.startswith("{") and "Traceback" in line
    )
    if logged:
        print(f"  tracebacks the server logged, by logger: {dict(logged)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=20, help="arrivals per second")
    parser.add_argument("--seconds", type=float, default=60, help="length of the run")
    parser.add_argument("--reference-seconds", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=10, help="of each request, in s")
    parser.add_argument("--in-flight", type=int, default=200, help="requests open at most")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=200, help="tasks the updates cycle through")
    parser.add_argument("--import-rows", type=int, default=200)
    parser.add_argument("--postgres", help="also run on PostgreSQL (an admin URL of the server)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--outage", action="store_true", help="cut PostgreSQL in the middle")
    parser.add_argument("--down", type=float, default=10, help="length of the cut, in s")
    parser.add_argument(
        "--samples", help="also write each request (kind, sent at, s, status) to a CSV"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-load-") as directory:
        if not args.skip_sqlite:
            run("sqlite", args, Path(directory))
        if args.postgres:
            run("postgresql", args, Path(directory))


if __name__ == "__main__":
    main()
