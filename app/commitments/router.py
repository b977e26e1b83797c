from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import CoordinatorDep
from app.commitments import alignments, public, service
from app.commitments.dependencies import (
    AlignmentDep,
    AlignmentToDeleteDep,
    CommitmentChangeDep,
    CommitmentDep,
)
from app.commitments.schemas import (
    AlignmentCreate,
    AlignmentPublic,
    CommitmentCreate,
    CommitmentPublic,
)
from app.db import SessionDep
from app.deps import ClockDep
from app.http import Page, answer, resource_etag, tag_read
from app.models import Confidence
from app.resources import ListingDep

router = APIRouter(prefix="/commitments", tags=["commitments"])
alignments_router = APIRouter(prefix="/alignments", tags=["alignments"])

RefQuery = Annotated[str | None, Query(max_length=120, description="Id or code.")]


@router.get("")
def list_commitments(
    listing: ListingDep,
    session: SessionDep,
    plan: RefQuery = None,
    pillar: RefQuery = None,
    organisation: Annotated[str | None, Query(max_length=120, description="Code or alias.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in code, titles.")] = None,
    confidence: Confidence | None = None,
) -> Page[CommitmentPublic]:
    """Commitments by code; filter by plan, pillar, organisation (lead or related), text and
    confidence."""
    items, cursor = service.list_commitments(
        session,
        listing.page,
        plan=plan,
        pillar=pillar,
        organisation=organisation,
        q=q,
        confidence=confidence,
    )
    return listing.answer(items, cursor)


@router.get("/{ref}")
def get_commitment(
    ref: str, commitment: CommitmentDep, request: Request, response: Response, session: SessionDep
) -> CommitmentPublic:
    """One commitment, by id or code, with the alignments it takes part in."""
    tag_read(request, response, public.etag(session, commitment))
    return public.one(session, commitment)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_commitment(
    data: CommitmentCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> CommitmentPublic:
    """Add a commitment to a plan (its coordinators or an admin)."""
    commitment = service.create(session, data, actor=user, now=clock.now())
    location = request.url_for("get_commitment", ref=str(commitment.id))
    body = public.one(session, commitment)
    return answer(response, body, public.etag(session, commitment), location=location)


@router.patch("/{ref}")
def update_commitment(
    ref: str,
    change: CommitmentChangeDep,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> CommitmentPublic:
    """Change a commitment; If-Match or `version` guards the update. Code and plan stay."""
    commitment = service.update(
        session, change.target, change.data, actor_id=user.id, now=clock.now()
    )
    body = public.one(session, commitment)
    return answer(response, body, public.etag(session, commitment))


@alignments_router.get("")
def list_alignments(
    listing: ListingDep,
    session: SessionDep,
    plan: RefQuery = None,
    commitment: RefQuery = None,
) -> Page[AlignmentPublic]:
    """National commitments contributing to regional ones; filter by plan or commitment."""
    items, cursor = alignments.list_alignments(
        session, listing.page, plan=plan, commitment=commitment
    )
    return listing.answer(items, cursor)


@alignments_router.get("/{alignment_id}")
def get_alignment(
    alignment_id: str,
    alignment: AlignmentDep,
    request: Request,
    response: Response,
    session: SessionDep,
) -> AlignmentPublic:
    """One alignment, by id."""
    tag_read(request, response, resource_etag(alignment.version))
    return alignments.public(session, alignment)


@alignments_router.post("", status_code=status.HTTP_201_CREATED)
def create_alignment(
    data: AlignmentCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> AlignmentPublic:
    """Record that a national commitment contributes to a regional one (ids or codes)."""
    alignment = alignments.create(session, data, actor=user, now=clock.now())
    location = request.url_for("get_alignment", alignment_id=str(alignment.id))
    body = alignments.public(session, alignment)
    return answer(response, body, resource_etag(alignment.version), location=location)


@alignments_router.delete("/{alignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_alignment(
    alignment_id: str,
    alignment: AlignmentToDeleteDep,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> None:
    """Remove an alignment (coordinators of the national plan, or an admin); If-Match required."""
    alignments.delete(session, alignment, actor_id=user.id, now=clock.now())
