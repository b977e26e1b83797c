from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_
from sqlmodel import Session, col, delete, select

from app.audit import bump, record
from app.errors import Conflict, Invalid, NotFound
from app.history import service as history
from app.http import PageParams, paginate
from app.i18n import N_
from app.models import Organisation, OrganisationAlias, OrganisationKind, User
from app.organisations.schemas import OrganisationCreate, OrganisationPublic, OrganisationUpdate

ENTITY = "organisation"


def alias_key(alias: str) -> str:
    return " ".join(alias.casefold().split())


def resolve(session: Session, ref: str) -> Organisation:
    """An organisation by id, code or alias (codes and aliases ignore case)."""
    organisation = find(session, ref)
    if organisation is None:
        raise NotFound(ENTITY)
    return organisation


NO_ORGANISATION = N_(
    "`me` names your organisation, and your account has none: name one by its code."
)


def own(ref: str | None, caller: User | None, field: str = "organisation") -> str | None:
    """An organisation filter with `me` read as the caller's organisation (its id); 422 for a
    caller without one. Any other reference is left for `find`."""
    if ref is None or ref.strip().casefold() != "me":
        return ref
    if caller is None or caller.organisation_id is None:
        raise Invalid(field, NO_ORGANISATION)
    return str(caller.organisation_id)


def find(session: Session, ref: str) -> Organisation | None:
    try:
        return session.get(Organisation, UUID(ref))
    except ValueError:
        pass
    by_code = session.exec(
        select(Organisation).where(func.upper(Organisation.code) == ref.strip().upper())
    ).first()
    if by_code is not None:
        return by_code
    return session.exec(
        select(Organisation)
        .join(OrganisationAlias, col(OrganisationAlias.organisation_id) == col(Organisation.id))
        .where(col(OrganisationAlias.alias_key) == alias_key(ref))
    ).first()


def aliases_of(session: Session, organisation_ids: list[UUID]) -> dict[UUID, list[str]]:
    rows = session.exec(
        select(OrganisationAlias)
        .where(col(OrganisationAlias.organisation_id).in_(organisation_ids))
        .order_by(col(OrganisationAlias.alias))
    ).all()
    found: dict[UUID, list[str]] = {oid: [] for oid in organisation_ids}
    for row in rows:
        found[row.organisation_id].append(row.alias)
    return found


def to_public(organisation: Organisation, aliases: list[str]) -> OrganisationPublic:
    return OrganisationPublic.model_validate({**organisation.model_dump(), "aliases": aliases})


def public(session: Session, organisation: Organisation) -> OrganisationPublic:
    return to_public(organisation, aliases_of(session, [organisation.id])[organisation.id])


def list_organisations(
    session: Session,
    page: PageParams,
    *,
    q: str | None,
    kind: OrganisationKind | None,
    country: str | None,
) -> tuple[list[OrganisationPublic], str | None]:
    statement = select(Organisation)
    if kind is not None:
        statement = statement.where(col(Organisation.kind) == kind)
    if country is not None:
        statement = statement.where(col(Organisation.country) == country.upper())
    if q:
        pattern = f"%{q.casefold()}%"
        statement = statement.where(
            or_(
                func.lower(Organisation.code).like(pattern),
                func.lower(Organisation.name_en).like(pattern),
                func.lower(Organisation.name_id).like(pattern),
            )
        )
    rows, cursor = paginate(session, statement, [col(Organisation.code)], page)
    aliases = aliases_of(session, [row.id for row in rows])
    return [to_public(row, aliases[row.id]) for row in rows], cursor


def _set_aliases(session: Session, organisation: Organisation, aliases: list[str]) -> None:
    session.exec(
        delete(OrganisationAlias).where(col(OrganisationAlias.organisation_id) == organisation.id)
    )
    seen: set[str] = set()
    for alias in aliases:
        key = alias_key(alias)
        if key in seen or key == alias_key(organisation.code):
            continue
        seen.add(key)
        taken = session.exec(
            select(OrganisationAlias).where(col(OrganisationAlias.alias_key) == key)
        ).first()
        if taken is not None:
            raise Conflict(
                N_("A {entity} with that {field} exists already."), entity="alias", field="alias"
            )
        session.add(OrganisationAlias(organisation_id=organisation.id, alias=alias, alias_key=key))


def _record(
    session: Session,
    organisation: Organisation,
    action: str,
    *,
    actor_id: UUID | None,
    now: datetime,
    changed: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    record(
        session,
        entity=ENTITY,
        entity_id=organisation.id,
        action=action,
        version=organisation.version,
        data=public(session, organisation).model_dump(mode="json"),
        actor_id=actor_id,
        now=now,
        changed=changed,
    )


def create(
    session: Session, data: OrganisationCreate, *, actor_id: UUID | None, now: datetime
) -> Organisation:
    if find(session, data.code) is not None:
        raise Conflict(
            N_("A {entity} with that {field} exists already."), entity=ENTITY, field="code"
        )
    organisation = Organisation(
        **data.model_dump(exclude={"aliases"}), created_at=now, updated_at=now
    )
    session.add(organisation)
    session.flush()
    _set_aliases(session, organisation, data.aliases)
    _record(session, organisation, "created", actor_id=actor_id, now=now)
    return organisation


def update(
    session: Session,
    organisation: Organisation,
    data: OrganisationUpdate,
    *,
    actor_id: UUID | None,
    now: datetime,
) -> Organisation:
    fields = data.model_dump(exclude_unset=True, exclude={"version", "aliases"})
    changed = history.diff(organisation.model_dump(), fields)
    if data.aliases is not None:
        before = aliases_of(session, [organisation.id])[organisation.id]
        _set_aliases(session, organisation, data.aliases)
        if sorted(before) != sorted(data.aliases):
            changed["aliases"] = (before, data.aliases)
    if not changed:
        return organisation
    for field, (_old, new) in changed.items():
        if field != "aliases":
            setattr(organisation, field, new)
    bump(organisation, now=now)
    session.add(organisation)
    _record(session, organisation, "updated", actor_id=actor_id, now=now, changed=changed)
    return organisation
