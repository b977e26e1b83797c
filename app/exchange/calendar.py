"""Task deadlines as an iCalendar feed (RFC 5545): one all-day event per task with a due date."""

from datetime import date, timedelta
from uuid import UUID

from icalendar import Calendar, Event, vDuration
from sqlmodel import Session, col

from app import dates
from app.config import Settings
from app.exchange.export import batches
from app.i18n import status_label, translate
from app.models import OwnerRole, Task, TaskStatus
from app.tasks.schemas import TaskFilters, TaskPublic

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Pantau//Task deadlines//EN"
# How often calendar programs should fetch again (RFC 7986, and Outlook's older property).
REFRESH = timedelta(hours=1)


def _description(task: TaskPublic, locale: str, link: str) -> str:
    commitment = task.commitment
    title = commitment.title_id if locale == "id" else commitment.title_en
    owners = [
        translate("{code} (lead)", locale, code=owner.organisation.code)
        if owner.role is OwnerRole.lead
        else owner.organisation.code
        for owner in task.owners
    ]
    status = status_label(task.status.value, locale)
    return "\n".join(
        [
            translate(
                "Status: {status} ({progress}%)", locale, status=status, progress=task.progress
            ),
            translate("Commitment: {code} — {title}", locale, code=commitment.code, title=title),
            translate("Owners: {owners}", locale, owners=", ".join(owners) or "-"),
            link,
        ]
    )


def _event(task: TaskPublic, due: date, locale: str, settings: Settings) -> Event:
    link = settings.task_page_url(task.id)
    event = Event()
    event.add("uid", f"task-{task.id}@pantau")  # stable: a task's event is updated, not added
    # DTSTAMP is the last change, not the time of the request, so equal data gives equal bytes.
    event.add("dtstamp", task.updated_at)
    event.add("last-modified", task.updated_at)
    event.add("sequence", task.version)
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(days=1))  # all-day: the end date is exclusive
    event.add("summary", f"{task.title} [{task.commitment.code}]")
    event.add("description", _description(task, locale, link))
    event.add("url", link)
    event.add("categories", [code for code in (task.plan.code, _pillar(task)) if code])
    event.add("status", "CANCELLED" if task.status is TaskStatus.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def _pillar(task: TaskPublic) -> str | None:
    return task.pillar.code if task.pillar else None


def feed(
    session: Session,
    filters: TaskFilters,
    *,
    user_id: UUID,
    today: date,
    locale: str,
    settings: Settings,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", translate("Pantau deadlines", locale))
    calendar.add("x-wr-calname", translate("Pantau deadlines", locale))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # unknown to icalendar: typed here
    dated = [col(Task.due_date).is_not(None)]
    for tasks in batches(session, filters, user_id=user_id, today=today, extra=dated):
        for task in tasks:
            if not dates.in_range(task.due_date):  # dtend would overflow; no client shows it
                dates.bad_row("calendar", task.id, due_date=task.due_date)
            elif task.due_date is not None:
                calendar.add_component(_event(task, task.due_date, locale, settings))
    body: bytes = calendar.to_ical()
    return body
