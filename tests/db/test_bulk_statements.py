"""Bulk statements made ready before their transaction (app.db.prepare, execute_prepared): a
compiled executemany on SQLite, a COPY for a plain insert on PostgreSQL. Either writes what the
insert would, and what it refuses is refused as every other statement's, so that app.errors
answers it the same way."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, bindparam, insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col, select

from app.db import among, execute_prepared, prepare, unit_of_work
from app.models import (
    Change,
    History,
    Organisation,
    OrganisationKind,
    OwnerRole,
    Task,
    TaskOwner,
)
from app.sqljson import EncodedJSON
from tests.factories import make_organisation, make_task

AT = datetime(2027, 8, 17, 9, 30, tzinfo=timezone(timedelta(hours=7)))  # WIB
AWKWARD = 'tab\there, new\nline, back\\slash, "quoted", \\N, Agustus ñ 🙂'


def _history(entity_id: UUID, **values: Any) -> dict[str, Any]:
    row = {
        "entity": "task",
        "entity_id": entity_id,
        "action": "updated",
        "field": "title",
        "old": None,
        "new": None,
        "note": None,
        "actor_id": None,
        "at": AT,
    }
    return row | values


def _written(db: Engine, statement: Any, rows: list[dict[str, Any]]) -> None:
    with unit_of_work(db) as session:
        execute_prepared(session.connection(), prepare(db.dialect, statement, rows))


def test_a_prepared_insert_writes_every_value_as_an_insert_would(
    db: Engine, session: Session
) -> None:
    entity = uuid4()
    rows = [
        _history(entity, old={"list": [1, "dua", None], "yes": True}, new="17 Agustus 2027"),
        _history(entity, note=AWKWARD, actor_id=uuid4(), new=[]),
        _history(entity, field=None, new=3.5),
    ]

    _written(db, insert(History), rows)

    stored = session.exec(select(History).order_by(col(History.id))).all()
    assert [(h.entity_id, h.old, h.new, h.note, h.field) for h in stored] == [
        (entity, row["old"], row["new"], row["note"], row["field"]) for row in rows
    ]
    assert [h.actor_id for h in stored] == [row["actor_id"] for row in rows]
    assert {h.at for h in stored} == {AT.astimezone(UTC)}


def test_json_text_bound_as_it_is_is_stored_as_that_document(db: Engine, session: Session) -> None:
    statement = insert(Change).values(data=bindparam("data", type_=EncodedJSON))
    row = {"entity": "task", "entity_id": uuid4(), "action": "created", "version": 1, "at": AT}

    _written(db, statement, [row | {"seq": 1, "data": '{"title": "Rancangan", "n": [1, 2]}'}])

    assert session.exec(select(Change.data)).one() == {"title": "Rancangan", "n": [1, 2]}


def test_text_holding_a_nul_is_refused_as_a_data_error_before_sending(db: Engine) -> None:
    rows = [_history(uuid4()), _history(uuid4(), note="a\x00b")]

    with pytest.raises(DataError):
        prepare(db.dialect, insert(History), rows)


def test_a_row_that_breaks_a_constraint_is_an_integrity_error(db: Engine, session: Session) -> None:
    organisation = make_organisation(session)
    row = {"task_id": uuid4(), "organisation_id": organisation.id, "role": OwnerRole.lead}

    with pytest.raises(IntegrityError):
        _written(db, insert(TaskOwner), [row])

    assert session.exec(select(TaskOwner)).all() == []


def test_a_value_the_statement_binds_but_the_rows_lack_is_refused_before_sending(
    db: Engine,
) -> None:
    # The id's default would be filled in by an insert: a bulk writer gives every value itself.
    row = {"code": "BSSN", "name_en": "BSSN", "name_id": "BSSN", "kind": OrganisationKind.agency}

    with pytest.raises(ValueError, match="unbound"):
        prepare(db.dialect, insert(Organisation), [row])


def test_an_insert_of_no_rows_sends_nothing(db: Engine, session: Session) -> None:
    _written(db, insert(Task), [])

    assert session.exec(select(Task)).all() == []


@pytest.mark.parametrize("count", [0, 1, 3000])
def test_among_finds_exactly_the_ids_given_however_many(
    db: Engine, session: Session, count: int
) -> None:
    organisation = make_organisation(session)
    tasks = [make_task(session, lead=organisation) for _ in range(3)]
    # Ids of no task pad the list: one parameter holds them all.
    asked = [tasks[0].id, tasks[2].id][:count] + [uuid4() for _ in range(count - 2)]
    both = among(db.dialect, col(Task.id), asked) & among(db.dialect, col(Task.id), asked[:1])

    found = set(session.exec(select(Task.id).where(among(db.dialect, col(Task.id), asked))))
    first = set(session.exec(select(Task.id).where(both)))

    assert found == {task.id for task in tasks[:3:2]}.intersection(asked)
    assert first == ({tasks[0].id} if count else set())
