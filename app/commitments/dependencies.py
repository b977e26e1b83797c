"""The commitment or alignment a route's path names (app.resources says in what order)."""

from typing import Annotated

from fastapi import Depends, Request

from app.auth import CoordinatorDep, CurrentUserDep
from app.commitments import alignments, service
from app.commitments.schemas import CommitmentUpdate
from app.db import SessionDep
from app.http import check_if_match, require_if_match
from app.models import Alignment, Commitment
from app.plans import service as plans
from app.resources import Change


def commitment_of(ref: str, session: SessionDep, _caller: CurrentUserDep) -> Commitment:
    return service.resolve(session, ref)


def commitment_change(
    ref: str,
    data: CommitmentUpdate,
    request: Request,
    session: SessionDep,
    user: CoordinatorDep,
) -> Change[Commitment, CommitmentUpdate]:
    commitment = service.resolve(session, ref)
    plans.ensure_can_write(session, user, commitment.plan_id)
    service.check_change(session, commitment, data)
    check_if_match(request, commitment.version, body_version=data.version)
    return Change(commitment, data)


def alignment_of(alignment_id: str, session: SessionDep, _caller: CurrentUserDep) -> Alignment:
    return alignments.resolve(session, alignment_id)


def alignment_to_delete(
    alignment_id: str, request: Request, session: SessionDep, user: CoordinatorDep
) -> Alignment:
    alignment = alignments.resolve(session, alignment_id)
    alignments.ensure_can_write(session, user, alignment)
    require_if_match(request, alignment.version)
    return alignment


CommitmentDep = Annotated[Commitment, Depends(commitment_of)]
CommitmentChangeDep = Annotated[Change[Commitment, CommitmentUpdate], Depends(commitment_change)]
AlignmentDep = Annotated[Alignment, Depends(alignment_of)]
AlignmentToDeleteDep = Annotated[Alignment, Depends(alignment_to_delete)]
