"""The import engine at scale: the rows of a task sheet or a plan matrix are checked and planned
with bulk reads and no lock, then written in one short transaction of bulk statements."""

import gc
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.exchange import files, service
from app.exchange.problems import ImportInvalid
from app.exchange.schemas import ImportAction
from app.models import Change, Commitment, History, Task, TaskOwner, WebhookDelivery
from app.tasks.documents import documents
from app.webhooks import service as webhooks
from tests.conftest import NOW
from tests.exchange.matrix_support import matrix_csv
from tests.exchange.support import (
    TODAY,
    World,
    csv_file,
    data_version,
    fresh,
    new_row,
    post_import,
    problem_rows,
    world,
)
from tests.factories import make_task, make_webhook

LIMITS = files.Limits(max_rows=50_000, max_unpacked_bytes=52_428_800)
WRITES = ("insert ", "copy ", "update ", "delete ", "for update", "begin immediate")


def _bulk_insert_into(table: str, sql: str) -> bool:
    """An insert of many rows: a statement sent for each (SQLite), or a COPY (PostgreSQL)."""
    return sql.startswith((f"insert into {table} ", f"copy {table} ("))


@pytest.fixture
def statements(db: Engine) -> Iterator[list[str]]:
    """The SQL the engine sends while the test runs, in lower case."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]).lower())

    event.listen(db, "before_cursor_execute", record)
    yield seen
    event.remove(db, "before_cursor_execute", record)


def _rows(w: World, count: int) -> list[dict[str, str]]:
    return [new_row(w, title=f"Tugas {n:05d}", support_owners=w.ngo.code) for n in range(count)]


def _task_count(session: Session) -> int:
    return len(fresh(session).exec(select(Task.id)).all())


def test_an_import_of_1500_rows_creates_every_task_with_its_owners_and_history(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    before = data_version(session)

    response = post_import(client, w.headers, csv_file(*_rows(w, 1500)))

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], len(report["rows"])) == (1500, 1500)
    assert report["rows"][-1]["row"] == 1501
    assert _task_count(session) == 1500
    assert len(session.exec(select(TaskOwner)).all()) == 3000
    history = session.exec(select(History.action)).all()
    assert history == ["created"] * 1500
    assert data_version(session) == before + 1500


def test_errors_in_rows_3_and_1200_are_both_reported_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    rows = _rows(w, 1300)
    rows[1] = new_row(w, title="", lead_owner="NOBODY")  # row 3
    rows[1198] = new_row(w, id=str(task.id), version="7", progress="40")  # row 1200
    before = data_version(session)

    response = post_import(client, w.headers, csv_file(*rows))

    assert problem_rows(response) == [(3, "title"), (1200, "version")]
    assert response.json()["detail"] == "2 rows have errors, so nothing was imported: see errors."
    assert _task_count(session) == 1
    assert data_version(session) == before


def test_errors_are_worded_in_the_language_of_the_request(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    rows = _rows(w, 4)
    rows[2] = new_row(w, lead_owner="NOBODY")

    response = post_import(client, {**w.headers, "Accept-Language": "id"}, csv_file(*rows))

    assert problem_rows(response) == [(4, "lead_owner")]
    assert response.json()["errors"][0]["message"] == (
        "Tidak ada organisasi dengan id, kode, atau alias ini."
    )


def _touching(sql: str, tables: tuple[str, ...]) -> bool:
    found = re.match(r"(?:insert into|copy|update|delete from|select .*? from) (\w+)", sql, re.S)
    return any(table in sql for table in tables) if found is None else found[1] in tables


def test_planning_reads_only_and_the_writing_takes_the_shared_locks_last(
    db: Engine, session: Session, statements: list[str]
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    webhooks.install()  # as create_app does: the events write outbox rows
    hook = make_webhook(session)
    hook.events = ["task.created", "task.status_changed"]
    session.add(hook)
    session.commit()
    content = csv_file(
        *_rows(w, 20), new_row(w, id=str(task.id), version="1", status="in_progress")
    )
    table = files.read(files.Upload(content, "text/csv"), LIMITS)
    statements.clear()

    with unit_of_work(db, write=False) as reading:
        planned = service.plan_rows(reading, table, actor=w.user, locale="en", now=NOW, today=TODAY)
    read = list(statements)
    statements.clear()
    with unit_of_work(db, today=TODAY) as writing:
        service.write(writing, planned)
    written = list(statements)

    assert not [sql for sql in read if any(word in sql for word in WRITES)]
    assert not [sql for sql in read if "tally_day" in sql]
    assert len(read) < 15  # a handful of bulk reads, not some per row
    assert any("from tally_day" in sql for sql in written)
    assert sum(_bulk_insert_into("task", sql) for sql in written) == 1
    # The update sets what the row changed (the title and status, so the version and time
    # too), not every column: an index on a column set is rewritten even when its value stays.
    (updated,) = [sql for sql in written if sql.startswith("update task ")]
    assigned = re.findall(r"(\w+)=", updated.split(" where ")[0])
    assert {"title", "status", "version", "updated_at"} <= set(assigned)
    assert not {"due_date", "priority", "description", "assignee_id"} & set(assigned)
    assert _task_count(session) == 21
    # Other writers wait for the tallies' and the feed's locks: taken after every other write,
    # in the order every writer takes them (tasks, tallies, data version, outbox version).
    own = ("task", "task_owner", "history", "webhook_delivery")
    shared = ("tally_day", "task_tally", "owner_tally", "data_version", "change")
    writes = [n for n, sql in enumerate(written) if re.match(r"insert|copy|update|delete", sql)]
    last_own = max(n for n in writes if _touching(written[n], own))
    first_shared = min(n for n, sql in enumerate(written) if _touching(sql, shared))
    assert last_own < first_shared, written[last_own : first_shared + 1]
    tallies = min(n for n, sql in enumerate(written) if _touching(sql, ("tally_day",)))
    versions = [n for n, sql in enumerate(written) if _touching(sql, ("data_version",))]
    assert tallies < versions[0]
    assert len(versions) == 2  # the feed's, then the outbox's
    deliveries = fresh(session).exec(select(WebhookDelivery)).all()
    assert len(deliveries) == 21
    # Each payload carries its task as the API gives it, read once the subscriber asks.
    assert {d.payload["data"]["task"]["title"] for d in deliveries} == {
        *(f"Tugas {n:05d}" for n in range(20)),
        "Draft the reporting guideline",
    }


def test_owners_are_deleted_only_for_the_updated_tasks_whose_owners_change(
    db: Engine, session: Session
) -> None:
    w = world(session)
    kept = make_task(session, commitment=w.commitment, lead=w.ministry)
    moved = make_task(session, commitment=w.commitment, lead=w.ministry)
    content = csv_file(
        *_rows(w, 20),
        new_row(w, id=str(kept.id), version="1", title="Retitled, same owners"),
        new_row(w, id=str(moved.id), version="1", lead_owner=w.ngo.code),
    )
    table = files.read(files.Upload(content, "text/csv"), LIMITS)
    with unit_of_work(db, write=False) as reading:
        planned = service.plan_rows(reading, table, actor=w.user, locale="en", now=NOW, today=TODAY)
    deletions: list[object] = []

    def record(*args: object) -> None:
        if str(args[2]).lower().startswith("delete from task_owner"):
            deletions.append(args[3])

    event.listen(db, "before_cursor_execute", record)
    try:
        with unit_of_work(db, today=TODAY) as writing:
            service.write(writing, planned)
    finally:
        event.remove(db, "before_cursor_execute", record)

    # New tasks have no owners to delete, and the kept task's owners stay as they are.
    assert [_ids_in(parameters) for parameters in deletions] == [{moved.id}]
    owners = set(fresh(session).exec(select(TaskOwner.task_id, TaskOwner.organisation_id)))
    assert {(moved.id, w.ngo.id), (kept.id, w.ministry.id)} <= owners
    assert len(owners) == 2 + 20 * 2  # and each new task's lead and support


def _ids_in(parameters: object) -> set[UUID]:
    """The ids a statement's parameters list (app.db.among: an array, or a JSON array)."""
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert isinstance(values, Iterable)
    ids: set[UUID] = set()
    for value in values:
        items = json.loads(value) if isinstance(value, str) else value
        ids |= {UUID(str(item)) for item in items}
    return ids


def test_a_plan_matrix_is_planned_reading_only_and_its_tasks_written_in_bulk(
    db: Engine, session: Session, statements: list[str]
) -> None:
    w = world(session)
    keys = ["strategy_code", "strategy", "commitment_code", "commitment", "task", "lead_owner"]
    rows: list[list[Any]] = [
        ["S9", "Penguatan regulasi", "K-901", "Pedoman moderasi", "Rancangan", w.ministry.code]
    ]
    rows += [[None, None, "K-901", None, f"Tugas {n}", w.ministry.code] for n in range(30)]
    table = files.read(files.Upload(matrix_csv(keys, rows, language="id"), "text/csv"), LIMITS)
    statements.clear()

    with unit_of_work(db, write=False) as reading:
        planned = service.plan_matrix(
            reading, table, actor=w.user, locale="id", now=NOW, today=TODAY, plan=w.plan.code
        )
    read = list(statements)
    statements.clear()
    with unit_of_work(db, today=TODAY) as writing:
        report = service.write_matrix(writing, planned, dry_run=False)
    written = list(statements)

    assert not [sql for sql in read if any(word in sql for word in WRITES)]
    assert len(read) < 20  # a handful of reads, not some per row
    assert sum(_bulk_insert_into("task", sql) for sql in written) == 1
    # The new strategy's and commitment's feed rows are numbered with the tasks', last: a bump
    # of the feed's number before the tasks' locks would reverse every task writer's order.
    tasks_written = max(n for n, sql in enumerate(written) if _touching(sql, ("task",)))
    tallies = min(n for n, sql in enumerate(written) if _touching(sql, ("tally_day",)))
    versions = [n for n, sql in enumerate(written) if _touching(sql, ("data_version",))]
    assert tasks_written < tallies < versions[0], written[tasks_written : versions[0] + 1]
    changes = fresh(session).exec(select(Change.entity).order_by(col(Change.seq))).all()
    assert changes[:2] == ["pillar", "commitment"]
    assert changes[2:] == ["task"] * 31
    assert (report.created, report.rows[0].strategy, report.rows[1].commitment) == (
        31,
        ImportAction.created,
        ImportAction.unchanged,
    )
    stored = fresh(session).exec(select(Task.commitment_id)).all()
    commitment = session.exec(select(Commitment).where(col(Commitment.code) == "K-901")).one()
    assert stored == [commitment.id] * 31


def test_a_task_that_moves_between_planning_and_writing_fails_its_row(
    db: Engine, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    content = csv_file(*_rows(w, 2), new_row(w, id=str(task.id), version="1", progress="40"))
    table = files.read(files.Upload(content, "text/csv"), LIMITS)
    with unit_of_work(db, write=False) as reading:
        planned = service.plan_rows(reading, table, actor=w.user, locale="en", now=NOW, today=TODAY)
    moved = fresh(session).get_one(Task, task.id)
    moved.version, moved.progress = 2, 10
    session.add(moved)
    session.commit()

    with pytest.raises(ImportInvalid) as refused, unit_of_work(db, today=TODAY) as writing:
        service.write(writing, planned)

    errors: list[Any] = refused.value.errors or []
    assert [(error["row"], error["field"]) for error in errors] == [(4, "version")]
    assert _task_count(session) == 1
    stored = fresh(session).exec(select(Task).where(col(Task.id) == task.id)).one()
    assert (stored.version, stored.progress) == (2, 10)


def test_reading_planning_and_writing_an_import_run_no_garbage_collection(
    db: Engine, session: Session
) -> None:
    # An import's objects live until it ends: collecting meanwhile traversed them again and
    # again, half of a 10,000-row matrix's planning (app.collector, bench/import.py).
    w = world(session)
    content = csv_file(*_rows(w, 2000))
    runs: list[int] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.enable()
    gc.callbacks.append(counted)
    try:
        table = files.read(files.Upload(content, "text/csv"), LIMITS)
        read = len(runs)
        with unit_of_work(db, write=False) as reading:
            planned = service.plan_rows(
                reading, table, actor=w.user, locale="en", now=NOW, today=TODAY
            )
            planning = len(runs)
        with unit_of_work(db, today=TODAY) as writing:
            service.write(writing, planned)
            writing_runs = len(runs)
    finally:
        gc.callbacks.remove(counted)

    # One run each at most: the collector's catching up as it resumes, once the step ends.
    assert max(read, planning - read, writing_runs - planning) <= 1, runs
    assert _task_count(session) == 2000


def test_a_whole_import_runs_no_garbage_collection_from_planning_to_its_commit(
    db: Engine, session: Session
) -> None:
    # Planning's objects live on into the writing: a collector resumed between the two
    # traversed them all, up to 0.4 s of a 10,000-row import (bench/import.py).
    w = world(session)
    table = files.read(files.Upload(csv_file(*_rows(w, 2000)), "text/csv"), LIMITS)

    with _timeline(db) as events:
        service.run(db, table, actor=w.user, dry_run=False, locale="en", now=NOW, today=TODAY)

    assert "collection" not in _planning_to_commit(events), events
    assert _task_count(session) == 2000


def test_an_import_request_runs_no_garbage_collection_from_planning_to_its_commit(
    client: TestClient, db: Engine, session: Session
) -> None:
    w = world(session)
    content = csv_file(*_rows(w, 2000))

    with _timeline(db) as events:
        response = post_import(client, w.headers, content)

    assert response.status_code == 200, response.text
    assert "collection" not in _planning_to_commit(events), events


@contextmanager
def _timeline(db: Engine) -> Iterator[list[str]]:
    """In the order they happen: planning's first read ("planning"), the commits and the
    collector's runs ("collection"), the collector on."""
    events: list[str] = []

    def statement(*args: object) -> None:
        if "from organisation" in str(args[2]).lower():  # planning reads the organisations
            events.append("planning")

    def committed(*args: object) -> None:
        events.append("commit")

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            events.append("collection")

    gc.enable()
    gc.collect()  # what the collector owes from before
    event.listen(db, "before_cursor_execute", statement)
    event.listen(db, "commit", committed)
    gc.callbacks.append(collected)
    try:
        yield events
    finally:
        gc.callbacks.remove(collected)
        event.remove(db, "commit", committed)
        event.remove(db, "before_cursor_execute", statement)


def _planning_to_commit(events: list[str]) -> list[str]:
    last_commit = len(events) - events[::-1].index("commit")
    return events[events.index("planning") : last_commit]


def test_the_feed_rows_of_an_import_carry_each_task_as_the_api_gives_it_in_row_order(
    db: Engine, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    content = csv_file(
        new_row(w, title="Pertama"),
        new_row(
            w,
            id=str(task.id),
            version="1",
            status="in_progress",
            title="Kedua",
            due_date=str(task.due_date or ""),
        ),
        new_row(w, title="Ketiga 🚸", due_date="17/08/2027"),
    )
    table = files.read(files.Upload(content, "text/csv"), LIMITS)
    with unit_of_work(db, write=False) as reading:
        planned = service.plan_rows(reading, table, actor=w.user, locale="id", now=NOW, today=TODAY)
    with unit_of_work(db, today=TODAY) as writing:
        service.write(writing, planned)

    feed = fresh(session).exec(select(Change).order_by(col(Change.seq))).all()
    ids = [change.entity_id for change in feed]
    expected = documents(fresh(session), ids, TODAY)
    assert [(c.entity, c.action, c.version) for c in feed] == [
        ("task", "created", 1),
        ("task", "updated", 3),  # retitled, then started: two steps
        ("task", "created", 1),
    ]
    assert [(c.data or {}).get("title") for c in feed] == ["Pertama", "Kedua", "Ketiga 🚸"]
    assert [c.data for c in feed] == [json.loads(expected[task_id]) for task_id in ids]
    assert {c.at for c in feed} == {NOW}
    assert [c.seq for c in feed] == list(range(feed[0].seq, feed[0].seq + 3))
