"""Seeds the reminder benchmark: open tasks in bulk, a known number owing a reminder."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import Engine, delete, insert, text
from sqlmodel import Session

from app.models import (
    Commitment,
    Organisation,
    OrganisationKind,
    OwnerRole,
    Plan,
    PlanScope,
    Reminder,
    ReminderPass,
    Role,
    Task,
    TaskOwner,
    TaskStatus,
    User,
)

PASS_AT = datetime(2026, 4, 14, 2, 0, tzinfo=UTC)  # Tuesday 09:00 in Jakarta
TODAY = PASS_AT.date()


def quiet_due_dates() -> list[date]:
    """Due dates that owe nothing today under the default policy (14, 7, 1, 0 days before,
    every 7 days overdue, escalation from 14): a year either side, those days left out."""
    owing = {TODAY + timedelta(days=n) for n in (14, 7, 1, 0)}
    owing |= {TODAY - timedelta(days=7 * k) for k in range(1, 60)}
    days = [TODAY + timedelta(days=n) for n in range(-365, 366)]
    return [day for day in days if day not in owing]


def _catalogue(engine: Engine, now: datetime) -> tuple[UUID, UUID]:
    """One organisation leading one commitment of one plan, with one contributor."""
    at = {"created_at": now, "updated_at": now}
    org = Organisation(
        code="ORG", name_en="Ministry", name_id="K", kind=OrganisationKind.ministry, **at
    )
    plan = Plan(
        code="PLAN", title_en="Road map", title_id="Peta jalan", scope=PlanScope.national,
        issuer="Government", period_start=date(2025, 1, 1), period_end=date(2029, 12, 31), **at,
    )  # fmt: skip
    commitment = Commitment(plan_id=plan.id, code="C-1", title_en="C", title_id="K", **at)
    sari = User(
        name="Sari", email="sari@example.test", role=Role.contributor, organisation_id=org.id, **at
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add_all([org, plan])
        session.flush()
        session.add_all([commitment, sari])
        session.commit()
    return org.id, commitment.id


def seed(engine: Engine, size: int, due: int) -> None:
    """`size` open tasks in bulk, the first `due` of them owing a reminder at the pass."""
    now = PASS_AT - timedelta(days=3)
    org, commitment = _catalogue(engine, now)
    quiet, owing = quiet_due_dates(), TODAY + timedelta(days=7)
    for start in range(0, size, 5000):
        tasks = [
            {
                "id": uuid4(),
                "commitment_id": commitment,
                "title": f"Task {n}",
                "status": TaskStatus.in_progress,
                "progress": 10,
                "priority": "medium",
                "due_date": owing if n < due else quiet[n % len(quiet)],
                "activity_at": now,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "reminder_policy": None,
            }
            for n in range(start, min(size, start + 5000))
        ]
        owners = [
            {"task_id": t["id"], "organisation_id": org, "role": OwnerRole.lead} for t in tasks
        ]
        with engine.begin() as c:
            c.execute(insert(Task), tasks)
            c.execute(insert(TaskOwner), owners)
    with engine.begin() as c:
        c.execute(text("ANALYZE"))  # fresh statistics, as a database in service has
    if engine.dialect.name == "sqlite":
        with engine.connect() as c:  # and no bulk load left in the write-ahead log
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def reset(engine: Engine) -> None:
    """Back to before the pass: an empty outbox, and the last pass 30 s ago (a worker's tick)."""
    with engine.begin() as c:
        c.execute(delete(Reminder))
        c.execute(delete(ReminderPass))
        c.execute(
            insert(ReminderPass).values(
                name="schedule", scheduled_until=PASS_AT - timedelta(seconds=30)
            )
        )
