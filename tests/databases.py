"""The two databases every test runs on: a SQLite file and a PostgreSQL database of its own."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.models import metadata

POSTGRES_URL = os.environ.get(
    "PANTAU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("PANTAU_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return (
            f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).render_as_string()}: "
            f"{type(error).__name__}. Set PANTAU_TEST_POSTGRES_URL to run these tests on it."
        )
    finally:
        engine.dispose()
    return None


def skip_or_fail_without_postgres() -> None:
    reason = postgres_unavailable()
    if reason is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"PANTAU_REQUIRE_POSTGRES is set but {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(kind: str, directory: Path, name: str) -> Iterator[str]:
    """An empty database of the kind, not migrated."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / (name + '.db')}"
        return
    skip_or_fail_without_postgres()
    with postgres_database(name) as url:
        yield url


@contextmanager
def migrated_database(kind: str, directory: Path, name: str) -> Iterator[str]:
    with fresh_database(kind, directory, name) as url:
        migrate.upgrade(url)
        yield url


def wipe(engine: Engine) -> None:
    """Empty every table: tests start from a migrated, empty database."""
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
