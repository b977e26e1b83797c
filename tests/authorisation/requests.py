"""How to call each route of the authorisation table: a fresh target of the named kind and a
body that every allowed role may send, so the answer is the route's success or its refusal."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.models import ReportState, Role, TaskStatus
from tests.authorisation.world import Cast, serial
from tests.factories import make_coordinator_of, make_user

API = "/api/v1"
IF_MATCH = {"If-Match": '"1"'}


@dataclass
class Call:
    path: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False


Builder = Callable[[Cast, str, str], Call]


def _organisation(w: Cast, role: str, target: str) -> Call:
    code = f"ORG-NEW-{serial()}"
    return Call(
        f"{API}/organisations", {"code": code, "name_en": code, "name_id": code, "kind": "ngo"}
    )


def _plan(w: Cast, role: str, target: str) -> Call:
    code = f"PLAN-NEW-{serial()}"
    body = {
        "code": code,
        "title_en": code,
        "title_id": code,
        "scope": "national",
        "issuer": "Government",
        "period_start": "2025-01-01",
        "period_end": "2029-12-31",
    }
    return Call(f"{API}/plans", body)


def _commitment(w: Cast, role: str, target: str) -> Call:
    code = f"COM-NEW-{serial()}"
    body = {"plan": w.plans[target].code, "code": code, "title_en": code, "title_id": code}
    return Call(f"{API}/commitments", body)


def _alignment(w: Cast, role: str, target: str) -> Call:
    national = w.commitment(target).code
    regional = w.commitment("R").code
    body = {"national_commitment": national, "regional_commitment": regional}
    return Call(f"{API}/alignments", body)


def _import(w: Cast, role: str, target: str) -> Call:
    row = f"{w.commitments[target].code},Imported,{w.organisations['O'].code}\r\n"
    content = ("commitment,title,lead_owner\r\n" + row).encode()
    return Call(f"{API}/imports", content=content, headers={"Content-Type": "text/csv"})


def _new_task(w: Cast, role: str, target: str) -> Call:
    body = {
        "commitment": w.commitments[target].code,
        "title": "New",
        "owners": [{"organisation": w.organisations["O"].code, "role": "lead"}],
    }
    return Call(f"{API}/tasks", body)


def _task(suffix: str = "", body: Any = None, headers: dict[str, str] | None = None) -> Builder:
    def build(w: Cast, role: str, target: str) -> Call:
        status = {"status": TaskStatus.completed} if "reopen" in target else {}
        task = w.task(target.split(":")[0], **status)
        return Call(f"{API}/tasks/{task.id}{suffix}", body, headers=headers or {})

    return build


def _user_patch(w: Cast, role: str, target: str) -> Call:
    person = w.person(target, role)
    kind = target.partition(":")[2] or "name"
    body: dict[str, dict[str, object]] = {
        "name": {"name": "Renamed"},
        "email": {"email": f"moved{serial()}@example.test"},
        "active": {"active": False},
    }
    return Call(f"{API}/users/{person.id}", body[kind])


def _token_create(w: Cast, role: str, target: str) -> Call:
    owner = w.me(role) if target == "self" else w.users["viewer" if role != "viewer" else "admin"]
    return Call(f"{API}/tokens", {"user_id": str(owner.id), "name": "case"})


def _plan_path(suffix: str = "", body: Any = None) -> Builder:
    return lambda w, role, target: Call(f"{API}/plans/{w.plans[target].code}{suffix}", body)


def _coordinator(w: Cast, role: str, target: str) -> Call:
    user = make_user(w.session, role=Role.coordinator)
    if target.endswith(":member"):
        make_coordinator_of(w.session, plan=w.plans[target[0]], user=user)
    return Call(f"{API}/plans/{w.plans[target[0]].code}/coordinators/{user.id}")


def _new_report(w: Cast, role: str, target: str) -> Call:
    code = w.led_commitment(target).code
    body = {"commitment": code, "period": "2026-S1", "assessment": "limited"}
    return Call(f"{API}/reports", body)


def _report(suffix: str = "", body: Any = None, state: str = "draft") -> Builder:
    def build(w: Cast, role: str, target: str) -> Call:
        report_id = w.report(target, ReportState(state))
        return Call(f"{API}/reports/{report_id}{suffix}", body, headers=IF_MATCH)

    return build


def _upload(w: Cast, role: str, target: str) -> Call:
    report_id = w.report(target)
    boundary = "pantau-boundary"
    content = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="evidence.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.7\n%%EOF\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return Call(f"{API}/reports/{report_id}/files", content=content, headers=headers)


def _report_file(w: Cast, role: str, target: str) -> Call:
    report_id, file_id = w.report_file(target)
    return Call(f"{API}/reports/{report_id}/files/{file_id}")


def _fixed(path: str, body: Any = None, **options: Any) -> Builder:
    return lambda w, role, target: Call(path, body, **options)


def _webhook(suffix: str = "", body: Any = None) -> Builder:
    return lambda w, role, target: Call(f"{API}/webhooks/{w.webhook()}{suffix}", body)


def _replay(w: Cast, role: str, target: str) -> Call:
    webhook_id, delivery_id = w.delivery()
    return Call(f"{API}/webhooks/{webhook_id}/deliveries/{delivery_id}/replay")


def _pillar(body: Any = None) -> Builder:
    return lambda w, role, target: Call(f"{API}/pillars/{w.pillars[target].id}", body)


def _new_pillar(w: Cast, role: str, target: str) -> Call:
    code = f"PIL-NEW-{serial()}"
    body = {"code": code, "title_en": code, "title_id": code}
    return Call(f"{API}/plans/{w.plans[target].code}/pillars", body)


REQUESTS: dict[str, Builder] = {
    "GET /api/v1/organisations": _fixed(f"{API}/organisations"),
    "GET /api/v1/organisations/{ref}": lambda w, r, t: Call(
        f"{API}/organisations/{w.organisations['O'].code}"
    ),
    "POST /api/v1/organisations": _organisation,
    "PATCH /api/v1/organisations/{ref}": lambda w, r, t: Call(
        f"{API}/organisations/{w.organisations['F'].code}", {"name_en": f"Renamed {serial()}"}
    ),
    "GET /api/v1/plans": _fixed(f"{API}/plans"),
    "GET /api/v1/plans/{ref}": _plan_path(),
    "POST /api/v1/plans": _plan,
    "PATCH /api/v1/plans/{ref}": lambda w, r, t: Call(
        f"{API}/plans/{w.plans[t].code}", {"notes": f"Noted {serial()}"}
    ),
    "GET /api/v1/plans/{ref}/coordinators": _plan_path("/coordinators"),
    "PUT /api/v1/plans/{ref}/coordinators/{user_id}": _coordinator,
    "DELETE /api/v1/plans/{ref}/coordinators/{user_id}": _coordinator,
    "GET /api/v1/plans/{ref}/pillars": _plan_path("/pillars"),
    "POST /api/v1/plans/{ref}/pillars": _new_pillar,
    "GET /api/v1/pillars/{pillar_id}": _pillar(),
    "PATCH /api/v1/pillars/{pillar_id}": lambda w, r, t: Call(
        f"{API}/pillars/{w.pillars[t].id}", {"title_en": f"Renamed {serial()}"}
    ),
    "GET /api/v1/commitments": _fixed(f"{API}/commitments"),
    "GET /api/v1/commitments/{ref}": lambda w, r, t: Call(
        f"{API}/commitments/{w.commitments[t].code}"
    ),
    "POST /api/v1/commitments": _commitment,
    "PATCH /api/v1/commitments/{ref}": lambda w, r, t: Call(
        f"{API}/commitments/{w.commitment(t).code}", {"title_en": "Renamed"}
    ),
    "GET /api/v1/plans/{ref}/periods": _plan_path("/periods"),
    "GET /api/v1/plans/{ref}/report": _plan_path("/report?period=2026-S1"),
    "GET /api/v1/plans/{ref}/report.md": _plan_path("/report.md?period=2026-S1"),
    "GET /api/v1/reports": _fixed(f"{API}/reports"),
    "GET /api/v1/reports/{report_id}": _report(),
    "POST /api/v1/reports": _new_report,
    "PATCH /api/v1/reports/{report_id}": _report(body={"indicator_value": "3 of 5"}),
    "POST /api/v1/reports/{report_id}/submit": _report("/submit"),
    "POST /api/v1/reports/{report_id}/files": _upload,
    "GET /api/v1/reports/{report_id}/files": _report("/files"),
    "GET /api/v1/reports/{report_id}/files/{file_id}": _report_file,
    "DELETE /api/v1/reports/{report_id}/files/{file_id}": _report_file,
    "POST /api/v1/reports/{report_id}/accept": _report("/accept", state="submitted"),
    "POST /api/v1/reports/{report_id}/return": _report(
        "/return", {"comment": "Add the decree."}, state="submitted"
    ),
    "GET /api/v1/alignments": _fixed(f"{API}/alignments"),
    "GET /api/v1/alignments/{alignment_id}": lambda w, r, t: Call(
        f"{API}/alignments/{w.alignment(t)}"
    ),
    "POST /api/v1/alignments": _alignment,
    "DELETE /api/v1/alignments/{alignment_id}": lambda w, r, t: Call(
        f"{API}/alignments/{w.alignment(t)}", headers=IF_MATCH
    ),
    "GET /api/v1/tasks.csv": _fixed(f"{API}/tasks.csv"),
    "GET /api/v1/tasks.xlsx": _fixed(f"{API}/tasks.xlsx"),
    "GET /api/v1/plans/{ref}/matrix.csv": _plan_path("/matrix.csv"),
    "GET /api/v1/plans/{ref}/matrix.xlsx": _plan_path("/matrix.xlsx?period=2026-S1"),
    "POST /api/v1/imports": _import,
    "GET /api/v1/calendar.ics": _fixed(f"{API}/calendar.ics"),
    "POST /api/v1/users/me/feed-key": _fixed(f"{API}/users/me/feed-key"),
    "DELETE /api/v1/users/me/feed-key": _fixed(f"{API}/users/me/feed-key"),
    "GET /api/v1/tasks": _fixed(f"{API}/tasks"),
    "POST /api/v1/tasks": _new_task,
    "GET /api/v1/tasks/{task_id}": _task(),
    "PATCH /api/v1/tasks/{task_id}": _task("", {"progress": 10}, IF_MATCH),
    "DELETE /api/v1/tasks/{task_id}": _task("", None, IF_MATCH),
    "POST /api/v1/tasks/{task_id}/transitions": _task(
        "/transitions", {"status": "in_progress", "note": "Again"}
    ),
    "GET /api/v1/tasks/{task_id}/history": _task("/history"),
    "POST /api/v1/tasks/{task_id}/notes": _task("/notes", {"text": "Evidence"}),
    "GET /api/v1/users": _fixed(f"{API}/users"),
    "GET /api/v1/users/me": _fixed(f"{API}/users/me"),
    "PATCH /api/v1/users/me": _fixed(f"{API}/users/me", {"name": "Renamed"}),
    "GET /api/v1/users/{user_id}": lambda w, r, t: Call(f"{API}/users/{w.person(t, r).id}"),
    "POST /api/v1/users": lambda w, r, t: Call(
        f"{API}/users",
        {"name": "New", "email": f"new{serial()}@example.test", "role": "viewer"},
    ),
    "PATCH /api/v1/users/{user_id}": _user_patch,
    "GET /api/v1/tokens": _fixed(f"{API}/tokens"),
    "GET /api/v1/tokens/{token_id}": lambda w, r, t: Call(f"{API}/tokens/{w.token_of(t, r)}"),
    "POST /api/v1/tokens": _token_create,
    "DELETE /api/v1/tokens/{token_id}": lambda w, r, t: Call(f"{API}/tokens/{w.token_of(t, r)}"),
    "GET /api/v1/summary": _fixed(f"{API}/summary"),
    "GET /api/v1/changes": _fixed(f"{API}/changes"),
    "GET /api/v1/events": _fixed(f"{API}/events", stream=True),
    "GET /api/v1/reminders": _fixed(f"{API}/reminders"),
    "POST /api/v1/webhooks": _fixed(f"{API}/webhooks", {"url": "http://127.0.0.1:9/hook"}),
    "GET /api/v1/webhooks": _fixed(f"{API}/webhooks"),
    "GET /api/v1/webhooks/{webhook_id}": _webhook(),
    "PATCH /api/v1/webhooks/{webhook_id}": _webhook("", {"description": "Renamed"}),
    "POST /api/v1/webhooks/{webhook_id}/secret": _webhook("/secret"),
    "DELETE /api/v1/webhooks/{webhook_id}": _webhook(),
    "GET /api/v1/webhooks/{webhook_id}/deliveries": _webhook("/deliveries"),
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay": _replay,
    "GET /healthz": _fixed("/healthz"),
    "GET /readyz": _fixed("/readyz"),
    "GET /metrics": _fixed("/metrics"),
}
