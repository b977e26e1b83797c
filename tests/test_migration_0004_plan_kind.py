"""Revision 0004 gives plans a kind without losing a row: the Perpres road map is marked as one,
every other existing plan becomes an action plan."""

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text

from app import migrate
from app.db import make_engine
from tests.databases import fresh_database

INSERT = text(
    "INSERT INTO plan (version, created_at, updated_at, id, code, title_en, title_id, scope,"
    " issuer, period_start, period_end, time_zone, holiday_country)"
    " VALUES (1, :now, :now, :id, :code, 't', 't', :scope, 'i', '2025-01-01', '2029-12-31',"
    " 'Asia/Jakarta', 'ID')"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path, f"pantau_kind_{tmp_path.name[-20:]}") as url:
        yield url


def _kinds(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT code, kind FROM plan ORDER BY code"))
            return {row.code: row.kind for row in rows}
    finally:
        engine.dispose()


def test_existing_plans_keep_their_rows_and_get_a_kind(database: str) -> None:
    migrate.upgrade(database, "0003")
    engine = make_engine(database)
    with engine.begin() as connection:
        for code, scope in (("ID-PERPRES-87-2025", "national"), ("MY-PLAN", "regional")):
            values = {"now": "2026-12-01 00:00:00", "id": uuid4().hex, "code": code}
            connection.execute(INSERT, {**values, "scope": scope})
    engine.dispose()

    migrate.upgrade(database)

    assert _kinds(database) == {"ID-PERPRES-87-2025": "road_map", "MY-PLAN": "action_plan"}
    migrate.downgrade(database, "0003")
    migrate.upgrade(database)
    assert len(_kinds(database)) == 2
