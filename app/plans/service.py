from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit import apply_changes, record
from app.errors import Conflict, Forbidden, NotFound, invalid
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Plan, PlanCoordinator, PlanKind, PlanScope, Role, User
from app.plans.schemas import PlanCreate, PlanPublic, PlanUpdate

ENTITY = "plan"


def as_uuid(ref: str) -> UUID | None:
    try:
        return UUID(ref)
    except ValueError:
        return None


def find(session: Session, ref: str) -> Plan | None:
    """A plan by id or by code (codes ignore case)."""
    plan_id = as_uuid(ref)
    if plan_id is not None:
        return session.get(Plan, plan_id)
    return session.exec(select(Plan).where(func.upper(Plan.code) == ref.strip().upper())).first()


def resolve(session: Session, ref: str) -> Plan:
    plan = find(session, ref)
    if plan is None:
        raise NotFound(ENTITY)
    return plan


def coordinates(session: Session, plan_id: UUID, user_id: UUID) -> bool:
    return session.get(PlanCoordinator, (plan_id, user_id)) is not None


def ensure_can_write(session: Session, user: User | None, plan_id: UUID) -> None:
    """Admins write everywhere; a coordinator only in the plans it coordinates (None: the
    system itself, such as the catalogue loader)."""
    if user is None or user.role is Role.admin:
        return
    if user.role is not Role.coordinator or not coordinates(session, plan_id, user.id):
        raise Forbidden(N_("Only the plan's coordinators (or an admin) may change it."))


def public(plan: Plan) -> PlanPublic:
    return PlanPublic.model_validate(plan.model_dump())


def list_plans(
    session: Session, page: PageParams, *, scope: PlanScope | None, kind: PlanKind | None = None
) -> tuple[list[PlanPublic], str | None]:
    statement = select(Plan)
    if scope is not None:
        statement = statement.where(col(Plan.scope) == scope)
    if kind is not None:
        statement = statement.where(col(Plan.kind) == kind)
    rows, cursor = paginate(session, statement, [col(Plan.code)], page)
    return [public(row) for row in rows], cursor


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise invalid("period_end", N_("period_end is before period_start."))


def _record(
    session: Session,
    plan: Plan,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, Any] | None = None,
) -> None:
    record(
        session,
        entity=ENTITY,
        entity_id=plan.id,
        action=action,
        version=plan.version,
        data=public(plan).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(session: Session, data: PlanCreate, *, actor_id: UUID | None, now: datetime) -> Plan:
    _check_period(data.period_start, data.period_end)
    if find(session, data.code) is not None:
        raise Conflict(
            N_("A {entity} with that {field} exists already."), entity=ENTITY, field="code"
        )
    plan = Plan(**data.model_dump(), created_at=now, updated_at=now)
    session.add(plan)
    _record(session, plan, "created", actor_id=actor_id, now=now)
    return plan


def check_change(plan: Plan, data: PlanUpdate) -> None:
    """Refuse (422) a change that could never apply, before its precondition is weighed (412)."""
    fields = data.model_dump(exclude_unset=True)
    _check_period(
        fields.get("period_start", plan.period_start), fields.get("period_end", plan.period_end)
    )


def update(
    session: Session, plan: Plan, data: PlanUpdate, *, actor_id: UUID | None, now: datetime
) -> Plan:
    check_change(plan, data)
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    changed = apply_changes(plan, fields, now=now)
    if changed:
        session.add(plan)
        _record(session, plan, "updated", actor_id=actor_id, now=now, changed=changed)
    return plan
