from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit import apply_changes, record
from app.errors import Conflict, NotFound
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Pillar, Plan
from app.plans.schemas import PillarCreate, PillarPublic, PillarUpdate, Ref
from app.plans.service import as_uuid

ENTITY = "pillar"


def resolve(session: Session, pillar_id: str) -> Pillar:
    key = as_uuid(pillar_id)
    pillar = session.get(Pillar, key) if key is not None else None
    if pillar is None:
        raise NotFound(ENTITY)
    return pillar


def find_in_plan(session: Session, plan_id: UUID, ref: str) -> Pillar | None:
    """A pillar of the plan by id or by code (codes ignore case)."""
    key = as_uuid(ref)
    statement = select(Pillar).where(col(Pillar.plan_id) == plan_id)
    if key is not None:
        return session.exec(statement.where(col(Pillar.id) == key)).first()
    return session.exec(statement.where(func.upper(Pillar.code) == ref.strip().upper())).first()


def to_public(pillar: Pillar, plan: Plan) -> PillarPublic:
    return PillarPublic.model_validate(
        {**pillar.model_dump(), "plan": Ref(id=plan.id, code=plan.code)}
    )


def public(session: Session, pillar: Pillar) -> PillarPublic:
    plan = session.get(Plan, pillar.plan_id)
    assert plan is not None  # the foreign key guarantees it
    return to_public(pillar, plan)


def list_pillars(
    session: Session, plan: Plan, page: PageParams
) -> tuple[list[PillarPublic], str | None]:
    statement = select(Pillar).where(col(Pillar.plan_id) == plan.id)
    rows, cursor = paginate(session, statement, [col(Pillar.position), col(Pillar.code)], page)
    return [to_public(row, plan) for row in rows], cursor


def _record(
    session: Session,
    pillar: Pillar,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, Any] | None = None,
) -> None:
    record(
        session,
        entity=ENTITY,
        entity_id=pillar.id,
        action=action,
        version=pillar.version,
        data=public(session, pillar).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(
    session: Session, plan: Plan, data: PillarCreate, *, actor_id: UUID | None, now: datetime
) -> Pillar:
    if find_in_plan(session, plan.id, data.code) is not None:
        raise Conflict(
            N_("A {entity} with that {field} exists already."), entity=ENTITY, field="code"
        )
    pillar = Pillar(plan_id=plan.id, **data.model_dump(), created_at=now, updated_at=now)
    session.add(pillar)
    _record(session, pillar, "created", actor_id=actor_id, now=now)
    return pillar


def update(
    session: Session, pillar: Pillar, data: PillarUpdate, *, actor_id: UUID | None, now: datetime
) -> Pillar:
    changed = apply_changes(
        pillar, data.model_dump(exclude_unset=True, exclude={"version"}), now=now
    )
    if changed:
        session.add(pillar)
        _record(session, pillar, "updated", actor_id=actor_id, now=now, changed=changed)
    return pillar
