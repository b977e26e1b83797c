from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col, select

from app.audit import apply_changes, record
from app.commitments import service as commitments
from app.commitments.schemas import AlignmentCreate, AlignmentPublic
from app.errors import Conflict, NotFound, invalid
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Alignment, Commitment, Plan, PlanScope, User
from app.plans import service as plans
from app.plans.schemas import Ref

ENTITY = "alignment"


def resolve(session: Session, alignment_id: str) -> Alignment:
    key = plans.as_uuid(alignment_id)
    alignment = session.get(Alignment, key) if key is not None else None
    if alignment is None:
        raise NotFound(ENTITY)
    return alignment


def ensure_can_write(session: Session, user: User, alignment: Alignment) -> None:
    national = session.get(Commitment, alignment.national_commitment_id)
    assert national is not None  # the foreign key guarantees it
    plans.ensure_can_write(session, user, national.plan_id)


def find_pair(session: Session, national_id: UUID, regional_id: UUID) -> Alignment | None:
    return session.exec(
        select(Alignment).where(
            col(Alignment.national_commitment_id) == national_id,
            col(Alignment.regional_commitment_id) == regional_id,
        )
    ).first()


def _many(session: Session, rows: list[Alignment]) -> list[AlignmentPublic]:
    ids = {a.national_commitment_id for a in rows} | {a.regional_commitment_id for a in rows}
    statement = select(Commitment.id, Commitment.code).where(col(Commitment.id).in_(ids))
    codes = {row_id: Ref(id=row_id, code=code) for row_id, code in session.exec(statement)}
    return [
        AlignmentPublic.model_validate(
            {
                **row.model_dump(),
                "national_commitment": codes[row.national_commitment_id],
                "regional_commitment": codes[row.regional_commitment_id],
            }
        )
        for row in rows
    ]


def public(session: Session, alignment: Alignment) -> AlignmentPublic:
    return _many(session, [alignment])[0]


def _touches(commitment_ids: Any) -> ColumnElement[bool]:
    return or_(
        col(Alignment.national_commitment_id).in_(commitment_ids),
        col(Alignment.regional_commitment_id).in_(commitment_ids),
    )


def _in_plan(plan_id: UUID) -> ColumnElement[bool]:
    return _touches(select(Commitment.id).where(col(Commitment.plan_id) == plan_id))


def list_alignments(
    session: Session, page: PageParams, *, plan: str | None, commitment: str | None
) -> tuple[list[AlignmentPublic], str | None]:
    """Unknown plan or commitment codes match nothing: an empty page, as /tasks."""
    statement = select(Alignment)
    if plan:
        found_plan = plans.find(session, plan)
        statement = statement.where(_in_plan(found_plan.id) if found_plan else false())
    if commitment:
        found = commitments.find(session, commitment)
        statement = statement.where(_touches([found.id]) if found else false())
    key = [col(Alignment.created_at), col(Alignment.id)]
    rows, cursor = paginate(session, statement, key, page)
    return _many(session, rows), cursor


SCOPE_REFUSALS = {
    PlanScope.national: N_("Must be a commitment of a national plan."),
    PlanScope.regional: N_("Must be a commitment of a regional plan."),
}


def _side(session: Session, ref: str, field: str, scope: PlanScope) -> Commitment:
    commitment = commitments.find(session, ref)
    if commitment is None:
        raise invalid(field, N_("No {entity} with that id or code."), entity="commitment")
    plan = session.get(Plan, commitment.plan_id)
    if plan is None or plan.scope is not scope:
        raise invalid(field, SCOPE_REFUSALS[scope])
    return commitment


def _record(
    session: Session,
    alignment: Alignment,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, Any] | None = None,
) -> None:
    deleted = action == "deleted"  # a tombstone, as for tasks
    record(
        session,
        entity=ENTITY,
        entity_id=alignment.id,
        action=action,
        version=alignment.version,
        data=None if deleted else public(session, alignment).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(
    session: Session, data: AlignmentCreate, *, actor: User | None, now: datetime
) -> Alignment:
    """A national commitment contributing to a regional one; written by the coordinators of the
    national plan (the side that reports the contribution) or an admin."""
    national = _side(session, data.national_commitment, "national_commitment", PlanScope.national)
    regional = _side(session, data.regional_commitment, "regional_commitment", PlanScope.regional)
    plans.ensure_can_write(session, actor, national.plan_id)
    if find_pair(session, national.id, regional.id) is not None:
        raise Conflict(N_("These two commitments are aligned already."))
    alignment = Alignment(
        national_commitment_id=national.id,
        regional_commitment_id=regional.id,
        note=data.note,
        created_at=now,
        updated_at=now,
    )
    session.add(alignment)
    _record(session, alignment, "created", actor_id=actor.id if actor else None, now=now)
    return alignment


def update_note(
    session: Session,
    alignment: Alignment,
    note: str | None,
    *,
    actor_id: UUID | None,
    now: datetime,
) -> Alignment:
    changed = apply_changes(alignment, {"note": note}, now=now)
    if changed:
        session.add(alignment)
        _record(session, alignment, "updated", actor_id=actor_id, now=now, changed=changed)
    return alignment


def delete(session: Session, alignment: Alignment, *, actor_id: UUID | None, now: datetime) -> None:
    _record(session, alignment, "deleted", actor_id=actor_id, now=now)
    session.delete(alignment)
    session.flush()
