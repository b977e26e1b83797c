"""Alembic owns the schema: from empty to head, down and up again, and in step with the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from app import migrate
from app.db import make_engine
from app.models import metadata
from tests.databases import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path, f"pantau_migrations_{tmp_path.name[-20:]}") as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_database: str) -> None:
    migrate.upgrade(empty_database)

    assert _tables(empty_database) == set(metadata.tables)


def test_downgrade_to_base_then_upgrade_again(empty_database: str) -> None:
    migrate.upgrade(empty_database)

    migrate.downgrade(empty_database, "base")
    emptied = _tables(empty_database)
    migrate.upgrade(empty_database)

    assert emptied == set()
    assert _tables(empty_database) == set(metadata.tables)


def test_models_and_migrations_agree(empty_database: str) -> None:
    migrate.upgrade(empty_database)

    command.check(migrate.alembic_config(empty_database))  # raises on any autogenerate diff


def test_head_is_reported_by_the_engine_after_upgrade(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    engine = make_engine(empty_database)

    try:
        assert migrate.current_revision(engine) == migrate.head_revision(empty_database)
    finally:
        engine.dispose()
