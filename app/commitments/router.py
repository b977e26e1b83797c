from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import CoordinatorDep, CurrentUserDep
from app.commitments import alignments, public, service
from app.commitments.schemas import (
    AlignmentCreate,
    AlignmentPublic,
    CommitmentCreate,
    CommitmentPublic,
    CommitmentUpdate,
)
from app.db import SessionDep
from app.deps import ClockDep, DataETagDep
from app.http import Page, PageDep, check_if_match, check_not_modified, resource_etag, set_next_link
from app.models import Confidence
from app.plans import service as plans

router = APIRouter(prefix="/commitments", tags=["commitments"])
alignments_router = APIRouter(prefix="/alignments", tags=["alignments"])

RefQuery = Annotated[str | None, Query(max_length=120, description="Id or code.")]


@router.get("")
def list_commitments(
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
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
        page,
        plan=plan,
        pillar=pillar,
        organisation=organisation,
        q=q,
        confidence=confidence,
    )
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/{ref}")
def get_commitment(
    ref: str, request: Request, response: Response, session: SessionDep, _user: CurrentUserDep
) -> CommitmentPublic:
    """One commitment, by id or code, with the alignments it takes part in."""
    commitment = service.resolve(session, ref)
    response.headers["ETag"] = etag = public.etag(session, commitment)
    check_not_modified(request, etag)
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
    response.headers["ETag"] = public.etag(session, commitment)
    response.headers["Location"] = str(request.url_for("get_commitment", ref=str(commitment.id)))
    return public.one(session, commitment)


@router.patch("/{ref}")
def update_commitment(
    ref: str,
    data: CommitmentUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> CommitmentPublic:
    """Change a commitment; If-Match or `version` guards the update. Code and plan stay."""
    commitment = service.resolve(session, ref)
    plans.ensure_can_write(session, user, commitment.plan_id)
    check_if_match(request, commitment.version, body_version=data.version)
    commitment = service.update(session, commitment, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = public.etag(session, commitment)
    return public.one(session, commitment)


@alignments_router.get("")
def list_alignments(
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
    plan: RefQuery = None,
    commitment: RefQuery = None,
) -> Page[AlignmentPublic]:
    """National commitments contributing to regional ones; filter by plan or commitment."""
    items, cursor = alignments.list_alignments(session, page, plan=plan, commitment=commitment)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@alignments_router.get("/{alignment_id}")
def get_alignment(
    alignment_id: str, request: Request, response: Response, session: SessionDep, _u: CurrentUserDep
) -> AlignmentPublic:
    """One alignment, by id."""
    alignment = alignments.resolve(session, alignment_id)
    response.headers["ETag"] = etag = resource_etag(alignment.version)
    check_not_modified(request, etag)
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
    response.headers["ETag"] = resource_etag(alignment.version)
    response.headers["Location"] = str(
        request.url_for("get_alignment", alignment_id=str(alignment.id))
    )
    return alignments.public(session, alignment)


@alignments_router.delete("/{alignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_alignment(
    alignment_id: str, request: Request, session: SessionDep, user: CoordinatorDep, clock: ClockDep
) -> None:
    """Remove an alignment (coordinators of the national plan, or an admin); If-Match required."""
    alignment = alignments.resolve(session, alignment_id)
    alignments.ensure_can_write(session, user, alignment)
    check_if_match(request, alignment.version, required=True)
    alignments.delete(session, alignment, actor_id=user.id, now=clock.now())
