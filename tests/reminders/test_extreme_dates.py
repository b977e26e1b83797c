"""A task whose due date lies outside the accepted range (written by SQL around the API, or
before the range was enforced) stops no reminder pass: it is skipped, logged and counted, and
every other task gets its reminders."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, event, update
from sqlmodel import Session, col

from app.models import Task
from tests.conftest import NOW
from tests.reminders.conftest import Run, Team
from tests.reminders.servers import Inbox

EXTREMES = [date(1, 1, 1), date(2, 6, 1), date(9999, 12, 31)]


def _skipped() -> float:
    value = REGISTRY.get_sample_value(
        "pantau_bad_rows_total", {"function": "reminders", "reason": "date_out_of_range"}
    )
    return value or 0.0


def _due_by_sql(session: Session, task: Task, day: date) -> None:
    session.exec(update(Task).where(col(Task.id) == task.id).values(due_date=day))
    session.commit()


@pytest.fixture
def statements(db: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db, "before_cursor_execute", record)
    yield seen
    event.remove(db, "before_cursor_execute", record)


@pytest.mark.parametrize("bad_day", EXTREMES, ids=str)
def test_pass_skips_a_task_due_out_of_range_and_reminds_the_others(
    session: Session, run: Run, smtp: Inbox, bad_day: date
) -> None:
    good = Team(session, due=NOW.date() + timedelta(days=7))
    bad = Team(session, due=NOW.date() + timedelta(days=7), tag="-bad")
    bad.change(bad.task, reminder_policy={"check_in_days": 0})  # a candidate of every pass
    _due_by_sql(session, bad.task, bad_day)
    before = _skipped()

    tally = run(NOW)

    assert {r.task_id for r in good.reminders()} == {good.task.id}
    assert tally["sent"] == 2  # the assignee and the lead's contributor of the good task
    assert len(smtp.messages) == 2
    assert _skipped() == before + 1


def test_a_task_due_in_year_two_adds_no_work_to_a_pass(
    session: Session, run: Run, statements: list[str]
) -> None:
    Team(session, due=NOW.date() + timedelta(days=7))
    old = Team(session, due=NOW.date() - timedelta(days=400), tag="-old")
    run(NOW - timedelta(days=1))
    statements.clear()
    run(NOW)
    baseline = len(statements)
    _due_by_sql(session, old.task, date(2, 6, 1))
    statements.clear()

    run(NOW + timedelta(days=1))

    assert len(statements) <= baseline + 5
