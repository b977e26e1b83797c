"""The JSON a reminder webhook carries, in Standard Webhooks' {type, timestamp, data} shape."""

from datetime import datetime
from typing import Any
from uuid import UUID

from app.config import Settings
from app.models import Commitment, Plan, Task
from app.outbox import signing
from app.reminders.audience import Audience
from app.reminders.planner import Owed
from app.reminders.reports import ReportAudience


def _task(settings: Settings, task: Task) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "title": task.title,
        "status": task.status.value,
        "progress": task.progress,
        "priority": task.priority.value,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "url": settings.task_page_url(task.id),
    }


def _titled(row: Commitment | Plan) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "code": row.code,
        "title_en": row.title_en,
        "title_id": row.title_id,
    }


def _report(settings: Settings, audience: ReportAudience) -> dict[str, Any]:
    """The report owed: its period and due date, its state (None when none is filed yet) and
    the page people file it on."""
    report, period = audience.report, audience.period
    return {
        "id": str(report.id) if report else None,
        "period": period.id,
        "due_date": period.due.isoformat(),
        "state": report.state.value if report else None,
        "url": settings.report_page_url(audience.commitment.code, period.id),
    }


def reminder(
    settings: Settings,
    owed: Owed,
    audience: Audience | ReportAudience,
    reminder_id: UUID,
    now: datetime,
) -> dict[str, Any]:
    due = owed.due_date
    about = (
        {"report": _report(settings, audience)}
        if isinstance(audience, ReportAudience)
        else {"task": _task(settings, audience.task)}
    )
    data = {
        "reminder": {
            "id": str(reminder_id),
            "kind": owed.point.kind.value,
            "point_on": owed.point.on.isoformat(),
            "offset_days": (owed.point.on - due).days if due else None,
            "fire_at": owed.fire_at.isoformat(),
        },
        **about,
        "commitment": _titled(audience.commitment),
        "plan": _titled(audience.plan),
    }
    return signing.envelope(owed.event.value, data, now)
