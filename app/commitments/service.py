from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit import apply_changes, bump, record
from app.commitments import public
from app.commitments.schemas import CommitmentCreate, CommitmentPublic, CommitmentUpdate
from app.errors import Conflict, NotFound, invalid
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Commitment, CommitmentOrganisation, Confidence, Organisation, Pillar, User
from app.organisations import service as organisations
from app.plans import pillars
from app.plans import service as plans

ENTITY = "commitment"


def find(session: Session, ref: str) -> Commitment | None:
    """A commitment by id or by code (codes ignore case)."""
    key = plans.as_uuid(ref)
    if key is not None:
        return session.get(Commitment, key)
    code = func.upper(Commitment.code) == ref.strip().upper()
    return session.exec(select(Commitment).where(code)).first()


def resolve(session: Session, ref: str) -> Commitment:
    commitment = find(session, ref)
    if commitment is None:
        raise NotFound(ENTITY)
    return commitment


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_match(q: str) -> ColumnElement[bool]:
    pattern = _like(q)
    columns = ("code", "title_en", "title_id", "description_en", "description_id")
    return or_(
        *(func.lower(getattr(Commitment, name)).like(pattern, escape="\\") for name in columns)
    )


def _by_organisation(organisation: Organisation) -> ColumnElement[bool]:
    related = select(CommitmentOrganisation.commitment_id).where(
        col(CommitmentOrganisation.organisation_id) == organisation.id
    )
    return or_(
        col(Commitment.lead_organisation_id) == organisation.id,
        col(Commitment.id).in_(related),
    )


def _by_pillar(pillar: str, plan_id: UUID | None) -> ColumnElement[bool]:
    key = plans.as_uuid(pillar)
    matching = select(Pillar.id).where(
        col(Pillar.id) == key if key else func.upper(Pillar.code) == pillar.strip().upper()
    )
    if plan_id is not None:
        matching = matching.where(col(Pillar.plan_id) == plan_id)
    return col(Commitment.pillar_id).in_(matching)


def _filtered(
    session: Session,
    *,
    plan: str | None,
    pillar: str | None,
    organisation: str | None,
    q: str | None,
    confidence: Confidence | None,
) -> SelectOfScalar[Commitment]:
    """Unknown plan, pillar or organisation codes match nothing: an empty page, as /tasks."""
    statement = select(Commitment)
    plan_row = plans.find(session, plan) if plan else None
    if plan:
        statement = statement.where(col(Commitment.plan_id) == plan_row.id if plan_row else false())
    if pillar:
        statement = statement.where(_by_pillar(pillar, plan_row.id if plan_row else None))
    if organisation:
        found = organisations.find(session, organisation)
        statement = statement.where(_by_organisation(found) if found else false())
    if q:
        statement = statement.where(_text_match(q))
    if confidence is not None:
        statement = statement.where(col(Commitment.confidence) == confidence)
    return statement


def list_commitments(
    session: Session,
    page: PageParams,
    *,
    plan: str | None,
    pillar: str | None,
    organisation: str | None,
    q: str | None,
    confidence: Confidence | None,
) -> tuple[list[CommitmentPublic], str | None]:
    statement = _filtered(
        session, plan=plan, pillar=pillar, organisation=organisation, q=q, confidence=confidence
    )
    rows, cursor = paginate(session, statement, [col(Commitment.code)], page)
    return public.many(session, rows), cursor


def _organisation(session: Session, ref: str, field: str) -> Organisation:
    found = organisations.find(session, ref)
    if found is None:
        raise invalid(field, N_("No {entity} with that id or code."), entity="organisation")
    return found


def _lead_id(session: Session, ref: str | None) -> UUID | None:
    return _organisation(session, ref, "lead_organisation").id if ref else None


def _pillar(session: Session, plan_id: UUID, ref: str) -> Pillar:
    found = pillars.find_in_plan(session, plan_id, ref)
    if found is not None:
        return found
    key = plans.as_uuid(ref)
    elsewhere = session.get(Pillar, key) if key else None
    if elsewhere is None and key is None:
        code = func.upper(Pillar.code) == ref.strip().upper()
        elsewhere = session.exec(select(Pillar).where(code)).first()
    raise invalid(
        "pillar",
        N_("The pillar belongs to another plan.")
        if elsewhere
        else N_("No {entity} with that id or code."),
        entity="pillar",
    )


def _related(session: Session, refs: list[str]) -> list[Organisation]:
    found: dict[UUID, Organisation] = {}
    for index, ref in enumerate(refs):
        organisation = _organisation(session, ref, f"related_organisations.{index}")
        found.setdefault(organisation.id, organisation)
    return sorted(found.values(), key=lambda organisation: organisation.code)


def _related_codes(session: Session, commitment_id: UUID) -> list[str]:
    statement = (
        select(Organisation.code)
        .join(
            CommitmentOrganisation, col(CommitmentOrganisation.organisation_id) == Organisation.id
        )
        .where(col(CommitmentOrganisation.commitment_id) == commitment_id)
    )
    return sorted(session.exec(statement).all())


def _set_related(session: Session, commitment: Commitment, related: list[Organisation]) -> None:
    session.exec(
        delete(CommitmentOrganisation).where(
            col(CommitmentOrganisation.commitment_id) == commitment.id
        )
    )
    for organisation in related:
        session.add(
            CommitmentOrganisation(commitment_id=commitment.id, organisation_id=organisation.id)
        )


def _record(
    session: Session,
    commitment: Commitment,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, Any] | None = None,
) -> None:
    session.flush()
    record(
        session,
        entity=ENTITY,
        entity_id=commitment.id,
        action=action,
        version=commitment.version,
        data=public.one(session, commitment).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(
    session: Session,
    data: CommitmentCreate,
    *,
    actor: User | None,
    now: datetime,
    commitment_id: UUID | None = None,
) -> Commitment:
    """A new commitment; `commitment_id`: the id it gets, chosen beforehand by a bulk writer
    that planned tasks against it (a plan matrix's), a new one otherwise."""
    plan = plans.find(session, data.plan)
    if plan is None:
        raise invalid("plan", N_("No {entity} with that id or code."), entity="plan")
    plans.ensure_can_write(session, actor, plan.id)
    if find(session, data.code) is not None:
        raise Conflict(
            N_("A {entity} with that {field} exists already."), entity=ENTITY, field="code"
        )
    pillar = _pillar(session, plan.id, data.pillar) if data.pillar else None
    related = _related(session, data.related_organisations)
    commitment = Commitment(
        **data.model_dump(exclude={"plan", "pillar", "lead_organisation", "related_organisations"}),
        plan_id=plan.id,
        pillar_id=pillar.id if pillar else None,
        lead_organisation_id=_lead_id(session, data.lead_organisation),
        created_at=now,
        updated_at=now,
    )
    if commitment_id is not None:
        commitment.id = commitment_id
    session.add(commitment)
    session.flush()
    _set_related(session, commitment, related)
    _record(session, commitment, "created", actor_id=actor.id if actor else None, now=now)
    return commitment


def _placement(session: Session, commitment: Commitment, data: CommitmentUpdate) -> dict[str, Any]:
    """The pillar and lead organisation the body asks for, as column values."""
    fields: dict[str, Any] = {}
    if "pillar" in data.model_fields_set:
        pillar = _pillar(session, commitment.plan_id, data.pillar) if data.pillar else None
        fields["pillar_id"] = pillar.id if pillar else None
    if "lead_organisation" in data.model_fields_set:
        fields["lead_organisation_id"] = _lead_id(session, data.lead_organisation)
    return fields


def check_change(session: Session, commitment: Commitment, data: CommitmentUpdate) -> None:
    """Refuse (422) a change naming what does not resolve, before its precondition is weighed
    (412): no version makes it apply."""
    _placement(session, commitment, data)
    _related(session, data.related_organisations or [])


def update(
    session: Session,
    commitment: Commitment,
    data: CommitmentUpdate,
    *,
    actor_id: UUID | None,
    now: datetime,
) -> Commitment:
    links = {"version", "pillar", "lead_organisation", "related_organisations"}
    fields = data.model_dump(exclude_unset=True, exclude=links)
    fields |= _placement(session, commitment, data)  # every reference resolves before a change
    related = _related(session, data.related_organisations or [])
    changed = apply_changes(commitment, fields, now=now)
    if data.related_organisations is not None:
        before = _related_codes(session, commitment.id)
        after = [organisation.code for organisation in related]
        if before != after:
            _set_related(session, commitment, related)
            if not changed:
                bump(commitment, now=now)
            changed["related_organisations"] = (before, after)
    if changed:
        session.add(commitment)
        _record(session, commitment, "updated", actor_id=actor_id, now=now, changed=changed)
    return commitment
