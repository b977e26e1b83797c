"""Typed, keyword-only factories: valid by default, committed so the app under test sees them."""

from datetime import date, timedelta
from itertools import count
from typing import TypeVar
from uuid import UUID

from sqlmodel import Session

from app.auth import hash_secret, new_secret
from app.models import (
    Alignment,
    ApiToken,
    Commitment,
    DeliveryStatus,
    Locale,
    Organisation,
    OrganisationKind,
    OwnerRole,
    Pillar,
    Plan,
    PlanCoordinator,
    PlanScope,
    Role,
    Task,
    TaskOwner,
    TaskStatus,
    User,
    Webhook,
    WebhookDelivery,
)
from app.outbox import signing
from tests.conftest import NOW

_serial = count(1)
T = TypeVar("T")


def _n() -> int:
    return next(_serial)


def _save(session: Session, row: T) -> T:
    session.add(row)
    session.commit()
    return row


def make_organisation(
    session: Session,
    *,
    code: str | None = None,
    kind: OrganisationKind = OrganisationKind.ministry,
    country: str | None = "ID",
) -> Organisation:
    code = code or f"ORG-{_n()}"
    return _save(
        session,
        Organisation(
            code=code, name_en=f"{code} (en)", name_id=f"{code} (id)", kind=kind, country=country
        ),
    )


def make_plan(
    session: Session,
    *,
    code: str | None = None,
    scope: PlanScope = PlanScope.national,
    time_zone: str = "Asia/Jakarta",
) -> Plan:
    code = code or f"PLAN-{_n()}"
    return _save(
        session,
        Plan(
            code=code,
            title_en=f"{code} plan",
            title_id=f"Rencana {code}",
            scope=scope,
            issuer="Government",
            period_start=date(2025, 1, 1),
            period_end=date(2029, 12, 31),
            time_zone=time_zone,
        ),
    )


def make_pillar(
    session: Session, *, plan: Plan, code: str | None = None, position: int = 1
) -> Pillar:
    code = code or f"PIL-{_n()}"
    return _save(
        session,
        Pillar(
            plan_id=plan.id,
            code=code,
            title_en=f"{code} pillar",
            title_id=f"Pilar {code}",
            position=position,
        ),
    )


def make_commitment(
    session: Session,
    *,
    plan: Plan | None = None,
    pillar: Pillar | None = None,
    code: str | None = None,
    lead: Organisation | None = None,
    target_year: int | None = None,
) -> Commitment:
    plan = plan or make_plan(session)
    code = code or f"COM-{_n()}"
    return _save(
        session,
        Commitment(
            plan_id=plan.id,
            pillar_id=pillar.id if pillar else None,
            code=code,
            title_en=f"{code} commitment",
            title_id=f"Komitmen {code}",
            lead_organisation_id=lead.id if lead else None,
            target_year=target_year,
        ),
    )


def make_task(
    session: Session,
    *,
    commitment: Commitment | None = None,
    title: str = "Draft the guideline",
    status: TaskStatus = TaskStatus.not_started,
    progress: int = 0,
    due_date: date | None = None,
    lead: Organisation | None = None,
    support: list[Organisation] | None = None,
    assignee: User | None = None,
) -> Task:
    commitment = commitment or make_commitment(session)
    task = _save(
        session,
        Task(
            commitment_id=commitment.id,
            title=title,
            status=status,
            progress=progress,
            due_date=due_date if due_date is not None else NOW.date() + timedelta(days=30),
            assignee_id=assignee.id if assignee else None,
            created_at=NOW,
            updated_at=NOW,
            activity_at=NOW,
        ),
    )
    if lead is not None:
        session.add(TaskOwner(task_id=task.id, organisation_id=lead.id, role=OwnerRole.lead))
    for organisation in support or []:
        session.add(
            TaskOwner(task_id=task.id, organisation_id=organisation.id, role=OwnerRole.support)
        )
    session.commit()
    return task


def make_user(
    session: Session,
    *,
    role: Role = Role.viewer,
    organisation: Organisation | None = None,
    email: str | None = None,
    locale: Locale = Locale.en,
    time_zone: str | None = None,
) -> User:
    email = email or f"user{_n()}@example.test"
    return _save(
        session,
        User(
            name=email.split("@")[0],
            email=email,
            role=role,
            organisation_id=organisation.id if organisation else None,
            locale=locale,
            time_zone=time_zone,
        ),
    )


def make_token(session: Session, *, user: User) -> str:
    secret = new_secret()
    _save(
        session,
        ApiToken(user_id=user.id, name="test", token_hash=hash_secret(secret), prefix=secret[:8]),
    )
    return secret


def make_coordinator_of(session: Session, *, plan: Plan, user: User) -> None:
    _save(session, PlanCoordinator(plan_id=plan.id, user_id=user.id))


def make_alignment(
    session: Session, *, national: Commitment, regional: Commitment, note: str | None = None
) -> Alignment:
    return _save(
        session,
        Alignment(
            national_commitment_id=national.id, regional_commitment_id=regional.id, note=note
        ),
    )


def make_webhook(session: Session, *, url: str = "https://hooks.example.test/pantau") -> Webhook:
    return _save(session, Webhook(url=url, events=[], secret=signing.new_secret()))


def make_webhook_delivery(
    session: Session, *, webhook: Webhook, status: DeliveryStatus = DeliveryStatus.pending
) -> WebhookDelivery:
    return _save(
        session,
        WebhookDelivery(
            webhook_id=webhook.id,
            event_type="task.created",
            message_id=signing.new_message_id(),
            payload={},
            status=status,
            next_attempt_at=NOW,
        ),
    )


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def login(
    session: Session, *, role: Role = Role.admin, organisation: Organisation | None = None
) -> tuple[User, dict[str, str]]:
    """A user of the role and the headers that authenticate as them."""
    user = make_user(session, role=role, organisation=organisation)
    return user, auth(make_token(session, user=user))


def ids(items: list[dict[str, object]]) -> list[UUID]:
    return [UUID(str(item["id"])) for item in items]
