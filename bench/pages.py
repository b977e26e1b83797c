"""The pages against the API, at 10,000 tasks: the task page and My work timed against the
API's GET /tasks/{id} in the same run, on the same database and process, as ratios.

    .venv/bin/python bench/pages.py                      # SQLite
    .venv/bin/python bench/pages.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

One request at a time (a person's page view, not a poll storm), a bounded number of each, to
127.0.0.1 only. Not a test: it prints, it does not pass or fail.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import ADMIN, app_env, database, prepared, uvicorn  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.config import Settings  # noqa: E402
from app.models import Organisation, Role, TaskOwner, User  # noqa: E402
from app.signin import service as signin  # noqa: E402

COOKIE = "pantau_session"


def _contributor(url: str) -> tuple[str, list[str]]:
    """A contributor of one organisation (about 700 of the tasks are its), signed in: the
    session's secret, and ids of tasks it owns."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            organisation = session.exec(select(Organisation)).scalars().first()
            assert organisation is not None
            user = User(
                name="Bench",
                email="bench@bench.invalid",
                role=Role.contributor,
                organisation_id=organisation.id,
            )
            session.add(user)
            session.flush()
            secret = signin.open_session(
                session, user.id, now=datetime.now(UTC), settings=Settings(_env_file=None)
            )
            owned = (
                session.exec(
                    select(TaskOwner.task_id).where(TaskOwner.organisation_id == organisation.id)
                )
                .scalars()
                .all()
            )
            session.commit()
    finally:
        engine.dispose()
    return secret, [str(task_id) for task_id in owned[:50]]


def _time(get: Callable[[int], httpx.Response], count: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds of `count` requests, after a warm-up."""
    for n in range(10):
        get(n).raise_for_status()
    spent = []
    for n in range(count):
        started = time.perf_counter()
        response = get(n)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(spent), statistics.quantiles(spent, n=10)[-1]


def run(url: str, tasks: int, count: int) -> None:
    prepared(url, tasks)
    secret, ids = _contributor(url)
    with uvicorn("app.main:create_app", "--factory", env=app_env(url)) as base:
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN}"})
        pages = httpx.Client(base_url=base, cookies={COOKIE: secret})
        rows = {
            "API GET /tasks/{id}": _time(
                lambda n: api.get(f"/api/v1/tasks/{ids[n % len(ids)]}"), count
            ),
            "task page /tasks/{id}": _time(
                lambda n: pages.get(f"/tasks/{ids[n % len(ids)]}"), count
            ),
            "My work /": _time(lambda n: pages.get("/"), count),
        }
    reference = rows["API GET /tasks/{id}"][0]
    print(f"  {'request':28} {'median ms':>10} {'p90 ms':>8} {'× API':>7}")
    for name, (median, p90) in rows.items():
        print(f"  {name:28} {median:10.2f} {p90:8.2f} {median / reference:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to create the database beside")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per line")
    options = parser.parse_args()
    kind = "postgresql" if options.postgres else "sqlite"
    name = "pantau_bench_pages"
    with (
        tempfile.TemporaryDirectory() as directory,
        database(kind, Path(directory), options.postgres, name) as url,
    ):
        print(f"{kind}, {options.tasks:,} tasks, {options.requests} requests each:")
        run(url, options.tasks, options.requests)


if __name__ == "__main__":
    main()
