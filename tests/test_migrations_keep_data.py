"""A database made at revision 0001 and filled as one in the field upgrades to head with every
row and value intact, on SQLite and PostgreSQL.

The rows (tests/rows_0001.py) are written with SQL against the 0001 schema as the database
reflects it, not through the models, so this test keeps working as revisions 0002+ change them.
A revision that changes stored values on purpose (a rename, a new format) says so here, in
`EXPECTED`, next to the rows it changes.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Connection, Engine, MetaData, Table, select
from sqlalchemy.exc import IntegrityError

from app import migrate
from app.db import make_engine
from tests.databases import fresh_database
from tests.rows_0001 import ROWS, TASK

INITIAL = "0001"
VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
# Databases in the field were made by this file: it never changes (decision 13).
FROZEN_SHA256 = "9b428cf51d0b98b25b8636c9f35e459cc21b618a3fe68f2c3344ce10cbc8a872"
# (table, column) -> how head holds a 0001 value, for revisions that change one on purpose.
EXPECTED: dict[tuple[str, str], Callable[[Any], Any]] = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path, f"pantau_keep_{tmp_path.name[-20:]}") as url:
        yield url


def _normal(value: Any) -> Any:
    """One spelling per value, whichever database and column type holds it."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, str) and len(value) in (32, 36):
        try:
            return UUID(value)
        except ValueError:
            return value
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _bind(value: Any, dialect: str) -> Any:
    # SQLite has no UUID type: 0001 keeps sa.Uuid as CHAR(32) hex there, as the app writes it.
    return value.hex if isinstance(value, UUID) and dialect == "sqlite" else value


def _tables(connection: Connection) -> dict[str, Table]:
    reflected = MetaData()
    reflected.reflect(connection)
    return {name: table for name, table in reflected.tables.items() if name != "alembic_version"}


def _fill(connection: Connection) -> None:
    tables = _tables(connection)
    assert set(tables) == set(ROWS), "every table of 0001 gets representative rows"
    dialect = connection.dialect.name
    for name in ROWS:  # parents before children
        rows = [_bound(row, dialect) for row in ROWS[name]]
        assert set(rows[0]) == set(tables[name].columns.keys()), f"every column of {name}"
        connection.execute(tables[name].insert(), rows)


def _bound(row: dict[str, Any], dialect: str) -> dict[str, Any]:
    return {key: _bind(value, dialect) for key, value in row.items()}


@contextmanager
def _filled(database_url: str, revision: str = "head") -> Iterator[Engine]:
    """The database made at 0001, filled as one in the field, then upgraded to `revision`."""
    migrate.upgrade(database_url, INITIAL)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            _fill(connection)
        migrate.upgrade(database_url, revision)
        yield engine
    finally:
        engine.dispose()


def _kept(connection: Connection, name: str, table: Table) -> list[tuple[Any, ...]]:
    columns = list(ROWS[name][0])
    statement = select(*(table.columns[column] for column in columns))
    return sorted(
        (tuple(_normal(value) for value in row) for row in connection.execute(statement)), key=repr
    )


def _wanted(name: str) -> list[tuple[Any, ...]]:
    rows = [
        tuple(_normal(EXPECTED.get((name, key), lambda v: v)(value)) for key, value in row.items())
        for row in ROWS[name]
    ]
    return sorted(rows, key=repr)


def test_upgrade_from_0001_keeps_every_row_and_value(empty_database: str) -> None:
    with _filled(empty_database) as engine, engine.connect() as connection:
        tables = _tables(connection)
        for name in ROWS:
            assert (name, _kept(connection, name, tables[name])) == (name, _wanted(name))


def test_the_initial_migration_is_frozen() -> None:
    (initial,) = VERSIONS.glob("*_0001_*.py")

    assert hashlib.sha256(initial.read_bytes()).hexdigest() == FROZEN_SHA256


def test_reminders_of_0001_become_task_reminders_keyed_on_their_task(
    empty_database: str,
) -> None:
    """Revision 0008 keys reminders on a subject: a reminder scheduled before the upgrade
    keeps its key, so a pass after it cannot schedule the same reminder again."""
    with _filled(empty_database) as engine:
        with engine.connect() as connection:
            reminder = _tables(connection)["reminder"]
            columns = ("id", "subject", "subject_id", "task_id", "commitment_id", "period")
            rows = connection.execute(select(*(reminder.columns[c] for c in columns))).all()
            found = sorted(tuple(_normal(value) for value in row) for row in rows)
        assert found == sorted(
            (
                _normal(row["id"]),
                "task",
                _normal(row["task_id"]),
                _normal(row["task_id"]),
                None,
                None,
            )
            for row in ROWS["reminder"]
        )
        old = ROWS["reminder"][0]
        again = {
            **old,
            "id": UUID(int=old["id"].int + 1000),
            "digest_id": None,
            "subject": "task",
            "subject_id": old["task_id"],
        }
        values = _bound(again, engine.dialect.name)
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(reminder.insert(), [values])


def _revision_before(number: str) -> str:
    (path,) = VERSIONS.glob(f"*_{number}_*.py")
    found = re.search(r'^down_revision: str \| None = "(\d+)"', path.read_text(), re.MULTILINE)
    assert found, path
    return found.group(1)


REPORT = UUID("00000000-0000-4000-8000-00000000a001")
REPORT_FILE = UUID("00000000-0000-4000-8000-00000000a002")


def test_reports_filed_before_evidence_files_keep_their_rows(empty_database: str) -> None:
    """Revision 0009 adds `report_file`: a report filed before it keeps every value, and takes
    evidence files after it; going back down drops the files only."""
    before = _revision_before("0009")
    with _filled(empty_database, before) as engine:
        dialect = engine.dialect.name
        at = datetime(2026, 12, 1, tzinfo=UTC)
        report = {
            "version": 3,
            "created_at": at,
            "updated_at": at,
            "id": REPORT,
            "plan_id": ROWS["plan"][0]["id"],
            "commitment_id": ROWS["commitment"][0]["id"],
            "task_id": None,
            "period": "2026-S1",
            "state": "returned",
            "assessment": "limited",
            "narrative_en": "Drafted <b>guidelines</b>.",
            "narrative_id": "Pedoman disusun.",
            "indicator_value": "2 of 5",
            "evidence": [{"url": "https://example.org/a", "title": "A"}],
            "author_id": None,
            "submitted_at": at,
            "reviewed_at": at,
            "reviewer_id": None,
            "review_comment": "Add the annex.",
        }
        with engine.begin() as connection:
            table = _tables(connection)["report"]
            connection.execute(table.insert(), _bound(report, dialect))

        migrate.upgrade(empty_database)

        with engine.begin() as connection:
            tables = _tables(connection)
            kept = connection.execute(select(tables["report"])).mappings().one()
            assert {k: _normal(v) for k, v in kept.items()} == {
                k: _normal(v) for k, v in report.items()
            }
            row = {
                "version": 1,
                "created_at": at,
                "updated_at": at,
                "id": REPORT_FILE,
                "report_id": REPORT,
                "name": "annex.pdf",
                "content_type": "application/pdf",
                "size": 10,
                "sha256": "0" * 64,
                "storage_key": f"reports/{REPORT.hex}/{REPORT_FILE.hex}",
                "uploader_id": None,
            }
            connection.execute(tables["report_file"].insert(), _bound(row, dialect))
        migrate.downgrade(empty_database, before)
        with engine.connect() as connection:
            tables = _tables(connection)
            assert "report_file" not in tables
            assert len(connection.execute(select(tables["report"])).all()) == 1


DONE_TASK = UUID("00000000-0000-4000-8000-00000000a003")


def test_owner_tally_cells_keep_their_counts_and_sum_their_slips(empty_database: str) -> None:
    """Revision 0010 adds `slips` to the rollup's owner cells, summed from the tasks of each
    cell: the open task of 0001 (slipped twice) in its cell, a completed one (three times) in
    the done cell; every other value stays, and going back down drops the column only."""
    before = _revision_before("0010")
    with _filled(empty_database, before) as engine:
        dialect = engine.dialect.name
        (task,), (cell,) = ROWS["task"], ROWS["owner_tally"]
        done_cell = {**cell, "role": "support", "done": True, "due_year": 0, "overdue": 0}
        with engine.begin() as connection:
            tables = _tables(connection)
            done_task = {**task, "id": DONE_TASK, "status": "completed", "slips": 3}
            owner = {"task_id": DONE_TASK, "organisation_id": cell["organisation_id"]}
            for name, row in (
                ("task", done_task),
                ("task_owner", {**owner, "role": "support"}),
                ("owner_tally", done_cell),
            ):
                connection.execute(tables[name].insert(), _bound(row, dialect))
            connection.execute(
                tables["task"].update().where(tables["task"].c.id == _bind(TASK, dialect)),
                {"slips": 2},
            )

        migrate.upgrade(empty_database)

        def cells() -> list[dict[str, Any]]:
            with engine.connect() as connection:
                rows = connection.execute(select(_tables(connection)["owner_tally"])).mappings()
                found = [{k: _normal(v) for k, v in row.items()} for row in rows]
            return sorted(found, key=lambda row: row["done"])

        assert cells() == [{**cell, "slips": 2}, {**done_cell, "slips": 3}]
        migrate.downgrade(empty_database, before)
        assert cells() == [cell, done_cell]
