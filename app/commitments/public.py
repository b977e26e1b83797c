"""A page of commitments as clients see them, built with one query per related table (no N+1)."""

import hashlib
from collections.abc import Iterable
from uuid import UUID

import orjson
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.commitments.schemas import AlignmentLink, CommitmentPublic
from app.models import Alignment, Commitment, CommitmentOrganisation, Organisation, Pillar, Plan
from app.plans.schemas import Ref

Coded = type[Plan] | type[Pillar] | type[Organisation] | type[Commitment]


def _refs(session: Session, model: Coded, ids: Iterable[UUID]) -> dict[UUID, Ref]:
    wanted = set(ids)
    if not wanted:
        return {}
    statement = select(col(model.id), col(model.code)).where(col(model.id).in_(wanted))
    return {row_id: Ref(id=row_id, code=code) for row_id, code in session.exec(statement)}


def _related(session: Session, commitment_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    found: dict[UUID, list[UUID]] = {cid: [] for cid in commitment_ids}
    statement = select(CommitmentOrganisation).where(
        col(CommitmentOrganisation.commitment_id).in_(commitment_ids)
    )
    for link in session.exec(statement):
        found[link.commitment_id].append(link.organisation_id)
    return found


def alignments_of(session: Session, commitment_ids: list[UUID]) -> list[Alignment]:
    return list(
        session.exec(
            select(Alignment)
            .where(
                or_(
                    col(Alignment.national_commitment_id).in_(commitment_ids),
                    col(Alignment.regional_commitment_id).in_(commitment_ids),
                )
            )
            .order_by(col(Alignment.created_at), col(Alignment.id))
        )
    )


def etag(session: Session, commitment: Commitment) -> str:
    """The version (what If-Match compares), then a digest of the commitment's alignments: they
    are part of its representation but not of its version."""
    marks = [[str(a.id), a.version] for a in alignments_of(session, [commitment.id])]
    digest = hashlib.blake2s(orjson.dumps(marks), digest_size=6).hexdigest()
    return f'"{commitment.version}-{digest}"'


def many(session: Session, rows: list[Commitment]) -> list[CommitmentPublic]:
    ids = [row.id for row in rows]
    related = _related(session, ids)
    alignments = alignments_of(session, ids) if ids else []
    other_ids = {a.national_commitment_id for a in alignments}
    other_ids |= {a.regional_commitment_id for a in alignments}
    commitments = _refs(session, Commitment, other_ids)
    plans = _refs(session, Plan, (row.plan_id for row in rows))
    pillars = _refs(session, Pillar, (row.pillar_id for row in rows if row.pillar_id))
    organisation_ids = {oid for oids in related.values() for oid in oids}
    organisation_ids |= {row.lead_organisation_id for row in rows if row.lead_organisation_id}
    organisations = _refs(session, Organisation, organisation_ids)
    return [
        CommitmentPublic.model_validate(
            {
                **row.model_dump(),
                "plan": plans[row.plan_id],
                "pillar": pillars.get(row.pillar_id) if row.pillar_id else None,
                "lead_organisation": organisations.get(row.lead_organisation_id)
                if row.lead_organisation_id
                else None,
                "related_organisations": sorted(
                    (organisations[oid] for oid in related[row.id]), key=lambda ref: ref.code
                ),
                **_links(row.id, alignments, commitments),
            }
        )
        for row in rows
    ]


def one(session: Session, row: Commitment) -> CommitmentPublic:
    return many(session, [row])[0]


def _links(
    commitment_id: UUID, alignments: list[Alignment], commitments: dict[UUID, Ref]
) -> dict[str, list[AlignmentLink]]:
    return {
        "contributes_to": [
            AlignmentLink(id=a.id, commitment=commitments[a.regional_commitment_id], note=a.note)
            for a in alignments
            if a.national_commitment_id == commitment_id
        ],
        "contributions": [
            AlignmentLink(id=a.id, commitment=commitments[a.national_commitment_id], note=a.note)
            for a in alignments
            if a.regional_commitment_id == commitment_id
        ],
    }
