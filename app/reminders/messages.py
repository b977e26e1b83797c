"""Reminder e-mail text, in English and Indonesian, as plain text and HTML. Pure."""

from dataclasses import dataclass
from datetime import date
from html import escape

from app.models import ReminderKind, ReminderSubject

NOT_FILED = "not_filed"  # the status of a report nobody has started

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
}
WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "id": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
}
STATUS = {
    "en": {"not_started": "not started", "in_progress": "in progress", "blocked": "blocked"},
    "id": {
        "not_started": "belum dimulai",
        "in_progress": "sedang berjalan",
        "blocked": "terhambat",
        NOT_FILED: "belum diisi",
        "draft": "draf",
        "returned": "dikembalikan untuk diperbaiki",
    },
}
STATUS["en"] |= {NOT_FILED: "not filed", "returned": "returned for changes"}
TEXT = {
    "en": {
        "hello": "Hello {name},",
        "in_days": "due in {n} days",
        "tomorrow": "due tomorrow",
        "today": "due today",
        "overdue": "{n} days overdue",
        "quiet": "no update for {m} days",
        "task": "Task",
        "commitment": "Commitment",
        "plan": "Plan",
        "due": "Due date",
        "none": "none",
        "status": "Status",
        "open": "Open",
        "digest": "{n} tasks need your attention",
        "people": "You receive this as the task's assignee or a contributor of its lead "
        "organisation.",
        "coordinators": "You receive this as a coordinator of the plan: the task is overdue "
        "and nobody has updated it.",
        "report": "Report",
        "report_title": "Report for {period}: {code}",
        "period": "Period",
        "report_people": "You receive this as a contributor of the commitment's lead "
        "organisation, which reports on it.",
        "report_coordinators": "You receive this as a coordinator of the plan: the report is "
        "overdue and has not been submitted.",
    },
    "id": {
        "hello": "Halo {name},",
        "in_days": "jatuh tempo dalam {n} hari",
        "tomorrow": "jatuh tempo besok",
        "today": "jatuh tempo hari ini",
        "overdue": "terlambat {n} hari",
        "quiet": "tanpa pembaruan selama {m} hari",
        "task": "Tugas",
        "commitment": "Komitmen",
        "plan": "Rencana",
        "due": "Jatuh tempo",
        "none": "tidak ada",
        "status": "Status",
        "open": "Buka",
        "digest": "{n} tugas memerlukan perhatian Anda",
        "people": "Anda menerima pesan ini sebagai penanggung jawab tugas atau kontributor "
        "organisasi pengampunya.",
        "coordinators": "Anda menerima pesan ini sebagai koordinator rencana: tugas ini "
        "terlambat dan belum diperbarui.",
        "report": "Laporan",
        "report_title": "Laporan periode {period}: {code}",
        "period": "Periode",
        "report_people": "Anda menerima pesan ini sebagai kontributor organisasi pengampu "
        "komitmen, yang melaporkannya.",
        "report_coordinators": "Anda menerima pesan ini sebagai koordinator rencana: laporan "
        "ini terlambat dan belum diserahkan.",
    },
}


@dataclass(frozen=True)
class Item:
    kind: ReminderKind
    title: str
    status: str
    progress: int
    due_date: date | None
    activity_on: date
    commitment: str
    plan: str
    link: str
    subject: ReminderSubject = ReminderSubject.task
    period: str | None = None


def _locale(locale: str) -> str:
    return locale if locale in TEXT else "en"


def report_title(period: str, code: str, locale: str) -> str:
    return TEXT[_locale(locale)]["report_title"].format(period=period, code=code)


def long_date(day: date, locale: str) -> str:
    locale = _locale(locale)
    weekday = WEEKDAYS[locale].split()[day.weekday()]
    month = MONTHS[locale].split()[day.month - 1]
    separator = ", " if locale == "id" else " "
    return f"{weekday}{separator}{day.day} {month} {day.year}"


def phrase(item: Item, today: date, locale: str) -> str:
    """What the reminder is about, counted from the day it is read."""
    words = TEXT[_locale(locale)]
    quiet = words["quiet"].format(m=(today - item.activity_on).days)
    if item.kind is ReminderKind.stale or item.due_date is None:
        return quiet
    left = (item.due_date - today).days
    if left > 1:
        said = words["in_days"].format(n=left)
    elif left >= 0:
        said = words["tomorrow" if left == 1 else "today"]
    else:
        said = words["overdue"].format(n=-left)
    escalated = item.kind is ReminderKind.escalation and item.subject is ReminderSubject.task
    return f"{said}, {quiet}" if escalated else said


def _fields(item: Item, locale: str) -> list[tuple[str, str]]:
    words = TEXT[_locale(locale)]
    status = STATUS[_locale(locale)].get(item.status, item.status)
    due = long_date(item.due_date, locale) if item.due_date else words["none"]
    if item.subject is ReminderSubject.report:
        return [
            (words["report"], item.title),
            (words["period"], item.period or ""),
            (words["commitment"], item.commitment),
            (words["plan"], item.plan),
            (words["due"], due),
            (words["status"], status),
            (words["open"], item.link),
        ]
    return [
        (words["task"], item.title),
        (words["commitment"], item.commitment),
        (words["plan"], item.plan),
        (words["due"], due),
        (words["status"], f"{status}, {item.progress}%"),
        (words["open"], item.link),
    ]


def subject(items: list[Item], today: date, locale: str) -> str:
    if len(items) == 1:
        said = phrase(items[0], today, locale)
        return f"[Pantau] {said[0].upper()}{said[1:]}: {items[0].title}"
    return "[Pantau] " + TEXT[_locale(locale)]["digest"].format(n=len(items))


def _why(items: list[Item], locale: str) -> str:
    escalated = all(item.kind is ReminderKind.escalation for item in items)
    reports = all(item.subject is ReminderSubject.report for item in items)
    key = "coordinators" if escalated else "people"
    return TEXT[_locale(locale)][f"report_{key}" if reports else key]


def plain(name: str, items: list[Item], today: date, locale: str) -> str:
    lines = [TEXT[_locale(locale)]["hello"].format(name=name), ""]
    for item in items:
        said = phrase(item, today, locale)
        lines.append(f"• {item.title}: {said}.")
        width = max(len(label) for label, _ in _fields(item, locale)) + 2
        lines += [
            f"  {(label + ':').ljust(width)}{value}" for label, value in _fields(item, locale)
        ]
        lines.append("")
    lines += [_why(items, locale), "", "— Pantau"]
    return "\n".join(lines) + "\n"


def html(name: str, items: list[Item], today: date, locale: str) -> str:
    parts = [f"<p>{escape(TEXT[_locale(locale)]['hello'].format(name=name))}</p>"]
    for item in items:
        said = escape(phrase(item, today, locale))
        parts.append(f"<h3>{escape(item.title)}: {said}</h3><table>")
        for label, value in _fields(item, locale):
            shown = escape(value)
            if value == item.link:
                shown = f'<a href="{escape(value, quote=True)}">{shown}</a>'
            parts.append(f"<tr><th align='left'>{escape(label)}</th><td>{shown}</td></tr>")
        parts.append("</table>")
    parts.append(f"<p>{escape(_why(items, locale))}</p><p>— Pantau</p>")
    body = "\n".join(parts)
    return f'<!doctype html>\n<html lang="{_locale(locale)}"><body>\n{body}\n</body></html>\n'
